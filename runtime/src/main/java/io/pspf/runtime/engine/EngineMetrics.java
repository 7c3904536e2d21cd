package io.pspf.runtime.engine;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.metrics.Metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The engine's meters, kept in a Micrometer {@link MeterRegistry} (the one the application passes, or one of the
 * engine's own): per task the records processed and the time spent processing them, commits and their latency, and
 * punctuations; per input partition the lag. Kafka's own metrics (the stores' and tasks' sensors) stay in a Kafka
 * {@link Metrics} registry. {@link #asKafkaMetrics()} shows both as Kafka's metric map, which is what
 * {@code PspfStreams.metrics()} returns.
 */
final class EngineMetrics {
    static final String GROUP = "pspf-metrics";

    final MeterRegistry registry;
    final Metrics kafka;
    private final Map<ActiveTask, TaskMeters> tasks = new java.util.concurrent.ConcurrentHashMap<>();

    EngineMetrics(final MeterRegistry registry, final Metrics kafka) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.kafka = kafka;
    }

    private static final class TaskMeters {
        final Counter processed;
        final Timer processTime;
        final Timer commits;
        final Counter punctuations;
        final java.util.List<Meter> all = new java.util.ArrayList<>();

        TaskMeters(final MeterRegistry registry, final String thread, final ActiveTask task) {
            final java.util.List<Tag> tags = java.util.List.of(Tag.of("thread", thread), Tag.of("task", task.spec.id.toString()));
            processed = Counter.builder("pspf.task.records.processed").description("Records processed by the task")
                .tags(tags).register(registry);
            processTime = Timer.builder("pspf.task.process.time")
                .description("Time spent processing, one sample per batch of records").tags(tags).register(registry);
            commits = Timer.builder("pspf.task.commit").description("Commits of the task and their latency")
                .tags(tags).register(registry);
            punctuations = Counter.builder("pspf.task.punctuations").description("Punctuations run by the task")
                .tags(tags).register(registry);
            all.add(processed);
            all.add(processTime);
            all.add(commits);
            all.add(punctuations);
            for (final TopicPartition tp : task.spec.inputs) {
                all.add(Gauge.builder("pspf.input.lag", task, t -> t.lag(tp))
                    .description("Records of the input partition not read yet").tags(tags)
                    .tag("topic", tp.topic()).tag("partition", String.valueOf(tp.partition())).register(registry));
            }
        }
    }

    void taskCreated(final String thread, final ActiveTask task) {
        tasks.put(task, new TaskMeters(registry, thread, task));
    }

    void taskClosed(final ActiveTask task) {
        final TaskMeters meters = tasks.remove(task);
        if (meters != null) {
            for (final Meter meter : meters.all) {
                registry.remove(meter);
            }
        }
    }

    void recordProcessed(final ActiveTask task, final int records, final long nanos) {
        final TaskMeters meters = tasks.get(task);
        if (meters != null && records > 0) {
            meters.processed.increment(records);
            meters.processTime.record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    void recordPunctuation(final ActiveTask task) {
        final TaskMeters meters = tasks.get(task);
        if (meters != null) {
            meters.punctuations.increment();
        }
    }

    /** One commit of a thread's tasks: each task's commit timer records it. */
    void recordCommit(final java.util.Collection<ActiveTask> committed, final long nanos) {
        for (final ActiveTask task : committed) {
            final TaskMeters meters = tasks.get(task);
            if (meters != null) {
                meters.commits.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /** A store's latency timers, one Micrometer timer per operation ({@code pspf.store.operation}). */
    io.pspf.runtime.state.StoreOperationTimer storeTimer(final org.apache.kafka.streams.processor.TaskId task,
                                                         final String store, final String scope) {
        final Map<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();
        return (operation, nanos) -> timers.computeIfAbsent(operation, op -> Timer.builder("pspf.store.operation")
            .description("Latency of a state store operation").tag("task", task.toString()).tag("store", store)
            .tag("store-type", scope).tag("operation", op).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Per meter, its measurements as Kafka metrics, made once: a Micrometer measurement reads the meter's value when
     * asked, so the views stay true, and {@code metrics()} called often (a monitoring loop) does not build them anew.
     */
    private final Map<Meter, java.util.List<Metric>> views = new java.util.IdentityHashMap<>();

    /** Kafka's metrics, then every Micrometer measurement as a Kafka metric of group {@value #GROUP}. */
    Map<MetricName, Metric> asKafkaMetrics() {
        final Map<MetricName, Metric> result = new LinkedHashMap<>(kafka.metrics());
        final java.util.List<Meter> meters = registry.getMeters();
        synchronized (views) {
            if (views.size() > meters.size()) {
                // meters removed since (closed tasks): their views go
                final java.util.Set<Meter> current = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
                current.addAll(meters);
                views.keySet().retainAll(current);
            }
            for (final Meter meter : meters) {
                for (final Metric metric : views.computeIfAbsent(meter, EngineMetrics::view)) {
                    result.put(metric.metricName(), metric);
                }
            }
        }
        return result;
    }

    private static java.util.List<Metric> view(final Meter meter) {
        final Map<String, String> tags = new LinkedHashMap<>();
        for (final Tag tag : meter.getId().getTags()) {
            tags.put(tag.getKey(), tag.getValue());
        }
        final String description = meter.getId().getDescription() == null ? "" : meter.getId().getDescription();
        final java.util.List<Metric> metrics = new java.util.ArrayList<>();
        for (final io.micrometer.core.instrument.Measurement measurement : meter.measure()) {
            final String name = meter.getId().getName().replace('.', '-') + "-"
                + measurement.getStatistic().getTagValueRepresentation();
            final MetricName metricName = new MetricName(name, GROUP, description, tags);
            metrics.add(new Metric() {
                @Override
                public MetricName metricName() {
                    return metricName;
                }

                @Override
                public Object metricValue() {
                    return measurement.getValue();
                }
            });
        }
        return metrics;
    }
}
