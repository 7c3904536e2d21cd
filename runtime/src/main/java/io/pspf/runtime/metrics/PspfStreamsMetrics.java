package io.pspf.runtime.metrics;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.apache.kafka.common.metrics.stats.CumulativeCount;
import org.apache.kafka.common.metrics.stats.Max;
import org.apache.kafka.common.metrics.stats.Rate;
import org.apache.kafka.streams.StreamsMetrics;

/**
 * {@link StreamsMetrics} for processors that register their own sensors, backed by a Kafka {@link Metrics}
 * registry (a plain in-process class of kafka-clients). Sensor and metric names follow Kafka Streams' scheme:
 * group {@code stream-<scope>-metrics}, tags {@code thread-id}, {@code task-id}, {@code <scope>-id}.
 */
public final class PspfStreamsMetrics implements StreamsMetrics {
    private final Metrics registry;
    private final String threadId;
    private final String taskId;

    public PspfStreamsMetrics(final Metrics registry, final String threadId, final String taskId) {
        this.registry = registry;
        this.threadId = threadId;
        this.taskId = taskId;
    }

    public Metrics registry() {
        return registry;
    }

    @Override
    public Map<MetricName, ? extends Metric> metrics() {
        return registry.metrics();
    }

    private Map<String, String> tags(final String scopeName, final String entityName, final String... tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("Tags needs to be specified in key-value pairs");
        }
        final Map<String, String> result = new LinkedHashMap<>();
        result.put("thread-id", threadId);
        if (taskId != null) {
            result.put("task-id", taskId);
        }
        result.put(scopeName + "-id", entityName);
        for (int i = 0; i < tags.length; i += 2) {
            result.put(tags[i], tags[i + 1]);
        }
        return result;
    }

    @Override
    public Sensor addLatencyRateTotalSensor(final String scopeName, final String entityName, final String operationName,
                                            final Sensor.RecordingLevel recordingLevel, final String... tags) {
        final Map<String, String> tagMap = tags(scopeName, entityName, tags);
        final String group = "stream-" + scopeName + "-metrics";
        final Sensor sensor = registry.sensor(threadId + "." + taskId + "." + scopeName + "." + entityName + "." + operationName,
            recordingLevel);
        sensor.add(registry.metricName(operationName + "-latency-avg", group, "The average latency of " + operationName, tagMap), new Avg());
        sensor.add(registry.metricName(operationName + "-latency-max", group, "The maximum latency of " + operationName, tagMap), new Max());
        addRateTotal(sensor, operationName, group, tagMap);
        return sensor;
    }

    @Override
    public Sensor addRateTotalSensor(final String scopeName, final String entityName, final String operationName,
                                     final Sensor.RecordingLevel recordingLevel, final String... tags) {
        final Map<String, String> tagMap = tags(scopeName, entityName, tags);
        final String group = "stream-" + scopeName + "-metrics";
        final Sensor sensor = registry.sensor(threadId + "." + taskId + "." + scopeName + "." + entityName + "." + operationName,
            recordingLevel);
        addRateTotal(sensor, operationName, group, tagMap);
        return sensor;
    }

    private void addRateTotal(final Sensor sensor, final String operation, final String group, final Map<String, String> tags) {
        sensor.add(registry.metricName(operation + "-rate", group, "The average number of " + operation + " per second", tags), new Rate());
        sensor.add(registry.metricName(operation + "-total", group, "The total number of " + operation, tags), new CumulativeCount());
    }

    @Override
    public Sensor addSensor(final String name, final Sensor.RecordingLevel recordingLevel) {
        return registry.sensor(name, recordingLevel);
    }

    @Override
    public Sensor addSensor(final String name, final Sensor.RecordingLevel recordingLevel, final Sensor... parents) {
        return registry.sensor(name, recordingLevel, parents);
    }

    @Override
    public void removeSensor(final Sensor sensor) {
        registry.removeSensor(sensor.name());
    }
}
