package io.pspf.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class EngineMetricsTest {

    private static Metric find(final Map<MetricName, Metric> metrics, final String name) {
        return metrics.entrySet().stream().filter(e -> e.getKey().name().equals(name)).map(Map.Entry::getValue)
            .findFirst().orElse(null);
    }

    @Test
    void meterViewsShowTheCurrentValueAndGoWithTheirMeters() {
        final SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (Metrics kafka = new Metrics()) {
            final EngineMetrics metrics = new EngineMetrics(registry, kafka);
            final Counter counter = Counter.builder("test.records").tag("task", "0_1").register(registry);
            counter.increment(3);
            final Metric first = find(metrics.asKafkaMetrics(), "test-records-count");
            assertEquals(3.0, first.metricValue());
            assertEquals("0_1", first.metricName().tags().get("task"));
            assertEquals(EngineMetrics.GROUP, first.metricName().group());

            counter.increment(2);
            // a view handed out before follows the meter, and so does the next map
            assertEquals(5.0, first.metricValue());
            assertEquals(5.0, find(metrics.asKafkaMetrics(), "test-records-count").metricValue());

            registry.remove(counter);
            final Counter other = Counter.builder("test.other").register(registry);
            other.increment();
            final Map<MetricName, Metric> after = metrics.asKafkaMetrics();
            assertFalse(after.keySet().stream().anyMatch(n -> n.name().equals("test-records-count")), "removed meter");
            assertEquals(1.0, find(after, "test-other-count").metricValue());

            // a meter registered again under the same name is a new meter: its own value, not the old one's
            final Counter again = Counter.builder("test.records").tag("task", "0_1").register(registry);
            again.increment(7);
            assertEquals(7.0, find(metrics.asKafkaMetrics(), "test-records-count").metricValue());
            assertTrue(metrics.asKafkaMetrics().size() >= 2);
        }
    }
}
