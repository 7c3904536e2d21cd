package io.pspf.runtime.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.errors.TopologyException;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.state.StoreBuilder;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.graph.GraphBuilder;
import io.pspf.runtime.graph.NodeSpec;
import io.pspf.runtime.graph.StoreSpec;
import io.pspf.runtime.graph.Subtopology;

/**
 * Works out every topic an application needs and its tasks, as Kafka Streams' partition assignor does at a
 * rebalance: source topics that do not exist are created with {@code pspf.topic.partitions} partitions; a
 * repartition topic gets the count set with {@code Repartitioned}, else the largest count among the sources of the
 * sub-topologies writing to it; co-partitioned topics must agree (Kafka's rules and messages); changelog topics get
 * one partition per task of their sub-topology and are compacted.
 */
final class TopicPlanner {
    /** Kafka's {@code windowstore.changelog.additional.retention.ms} default: a day on top of the store's retention. */
    private static final long ADDITIONAL_RETENTION_MS = 24L * 60 * 60 * 1000;

    private final GraphBuilder graph;
    private final List<Subtopology> subtopologies;
    private final Backend backend;
    private final String applicationId;
    private final int defaultPartitions;
    private final Map<String, Integer> partitions = new HashMap<>();

    TopicPlanner(final GraphBuilder graph, final List<Subtopology> subtopologies, final Backend backend,
                 final String applicationId, final int defaultPartitions) {
        this.graph = graph;
        this.subtopologies = subtopologies;
        this.backend = backend;
        this.applicationId = applicationId;
        this.defaultPartitions = defaultPartitions;
    }

    /** Creates what is missing and returns the tasks, in {@code TaskId} order. */
    List<TaskSpec> plan(final Set<String> globalTopics) {
        final Set<String> repartitionTopics = new LinkedHashSet<>();
        for (final String internal : graph.internalTopics().keySet()) {
            repartitionTopics.add(graph.decorate(internal, applicationId));
        }
        // external sources (and global topics) first: they exist or are created with the default count
        for (final Subtopology subtopology : subtopologies) {
            for (final String topic : subtopology.sourceByTopic().keySet()) {
                if (!repartitionTopics.contains(topic)) {
                    partitions.put(topic, ensure(topic, defaultPartitions, Map.of()));
                }
            }
            for (final NodeSpec.Source source : subtopology.patternSources()) {
                for (final String topic : backend.topics()) {
                    if (source.pattern().matcher(topic).matches()) {
                        partitions.put(topic, backend.partitions(topic));
                    }
                }
            }
        }
        for (final String topic : globalTopics) {
            ensure(topic, defaultPartitions, Map.of());
        }
        resolveRepartitionCounts(repartitionTopics);
        enforceCopartitioning(repartitionTopics);
        for (final String topic : repartitionTopics) {
            final Integer count = partitions.get(topic);
            // as Kafka's RepartitionTopicConfig: never deleted by time, only purged once consumed
            ensure(topic, count == null ? defaultPartitions : count, Map.of("cleanup.policy", "delete", "retention.ms", "-1"));
        }
        // sinks to topics that do not exist yet are created too, so that the tasks can partition their output
        for (final Subtopology subtopology : subtopologies) {
            for (final String topic : subtopology.sinkTopics()) {
                if (!repartitionTopics.contains(topic)) {
                    ensure(topic, defaultPartitions, Map.of());
                }
            }
        }
        return tasks();
    }

    private int ensure(final String topic, final int count, final Map<String, String> configs) {
        final int existing = backend.partitions(topic);
        if (existing > 0) {
            return existing;
        }
        backend.createTopic(topic, count, configs);
        return backend.partitions(topic);
    }

    private int sourceCount(final Subtopology subtopology) {
        int max = 0;
        for (final String topic : subtopology.sourceByTopic().keySet()) {
            max = Math.max(max, partitions.getOrDefault(topic, 0));
        }
        for (final NodeSpec.Source source : subtopology.patternSources()) {
            for (final Map.Entry<String, Integer> e : partitions.entrySet()) {
                if (source.pattern().matcher(e.getKey()).matches()) {
                    max = Math.max(max, e.getValue());
                }
            }
        }
        return max;
    }

    /**
     * Repartition topics with a count set keep it; the others take the largest count among the source topics of the
     * sub-topologies that write to them, repeated until nothing changes (a repartition topic may feed another).
     */
    private void resolveRepartitionCounts(final Set<String> repartitionTopics) {
        for (final Map.Entry<String, Integer> e : graph.internalTopics().entrySet()) {
            if (e.getValue() != null && e.getValue() > 0) {
                partitions.put(graph.decorate(e.getKey(), applicationId), e.getValue());
            } else {
                final int existing = backend.partitions(graph.decorate(e.getKey(), applicationId));
                if (existing > 0) {
                    partitions.put(graph.decorate(e.getKey(), applicationId), existing);
                }
            }
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (final String topic : repartitionTopics) {
                if (partitions.containsKey(topic)) {
                    continue;
                }
                int count = 0;
                boolean unknownUpstream = false;
                for (final Subtopology writer : subtopologies) {
                    if (writer.sinkTopics().contains(topic)) {
                        for (final String source : writer.sourceByTopic().keySet()) {
                            final Integer upstream = partitions.get(source);
                            if (upstream == null) {
                                unknownUpstream = true;
                            } else {
                                count = Math.max(count, upstream);
                            }
                        }
                    }
                }
                if (count > 0 && !unknownUpstream) {
                    partitions.put(topic, count);
                    changed = true;
                }
            }
        }
        for (final String topic : repartitionTopics) {
            partitions.putIfAbsent(topic, defaultPartitions);
        }
    }

    private boolean enforced(final String decoratedRepartitionTopic) {
        for (final Map.Entry<String, Integer> e : graph.internalTopics().entrySet()) {
            if (graph.decorate(e.getKey(), applicationId).equals(decoratedRepartitionTopic)) {
                return e.getValue() != null && e.getValue() > 0;
            }
        }
        return false;
    }

    /** Kafka's {@code CopartitionedTopicsEnforcer}: same rules, same messages. */
    private void enforceCopartitioning(final Set<String> repartitionTopics) {
        for (final Set<String> group : graph.copartitionGroups()) {
            final Set<String> topics = new LinkedHashSet<>();
            for (final String topic : group) {
                topics.add(graph.decorate(topic, applicationId));
            }
            final Map<String, Integer> sources = new LinkedHashMap<>();
            final List<String> repartitions = new ArrayList<>();
            for (final String topic : topics) {
                if (repartitionTopics.contains(topic)) {
                    repartitions.add(topic);
                } else if (partitions.containsKey(topic)) {
                    sources.put(topic, partitions.get(topic));
                }
            }
            if (!sources.isEmpty()) {
                final Set<Integer> counts = new TreeSet<>(sources.values());
                if (counts.size() > 1) {
                    throw new TopologyException(String.format("Topics not co-partitioned: [%s]",
                        String.join(",", new TreeSet<>(sources.keySet()))));
                }
                final int count = counts.iterator().next();
                for (final String topic : repartitions) {
                    if (enforced(topic) && partitions.get(topic) != count) {
                        throw new TopologyException(String.format("Number of partitions [%d] of repartition topic [%s] "
                            + "doesn't match number of partitions [%d] of the source topic.", partitions.get(topic), topic, count));
                    }
                    partitions.put(topic, count);
                }
            } else if (!repartitions.isEmpty()) {
                Integer fixed = null;
                for (final String topic : repartitions) {
                    if (enforced(topic)) {
                        if (fixed != null && fixed.intValue() != partitions.get(topic)) {
                            throw new TopologyException(String.format("Following topics do not have the same number of "
                                + "partitions: [%s]", String.join(",", new TreeSet<>(repartitions))));
                        }
                        fixed = partitions.get(topic);
                    }
                }
                int count = 0;
                for (final String topic : repartitions) {
                    count = Math.max(count, partitions.get(topic));
                }
                for (final String topic : repartitions) {
                    partitions.put(topic, fixed != null ? fixed : count);
                }
            }
        }
    }

    private List<TaskSpec> tasks() {
        final List<TaskSpec> tasks = new ArrayList<>();
        for (final Subtopology subtopology : subtopologies) {
            final int count = sourceCount(subtopology);
            final Map<String, StoreSpec> stores = subtopology.stores();
            for (final StoreSpec store : stores.values()) {
                if (store.sourceChangelogTopic() == null && store.loggingEnabled() && !store.global()) {
                    ensure(subtopology.changelogTopic(store.name()), Math.max(count, 1), changelogConfig(store.builder()));
                }
            }
            for (int partition = 0; partition < count; partition++) {
                final List<TopicPartition> inputs = new ArrayList<>();
                for (final String topic : inputTopics(subtopology)) {
                    if (partitions.getOrDefault(topic, 0) > partition) {
                        inputs.add(new TopicPartition(topic, partition));
                    }
                }
                final Map<String, TopicPartition> changelogs = new LinkedHashMap<>();
                final Map<String, TopicPartition> sourceChangelogs = new LinkedHashMap<>();
                for (final StoreSpec store : stores.values()) {
                    if (store.global()) {
                        continue;
                    }
                    if (store.sourceChangelogTopic() != null) {
                        sourceChangelogs.put(store.name(),
                            new TopicPartition(subtopology.decorate(store.sourceChangelogTopic()), partition));
                    } else if (store.loggingEnabled()) {
                        changelogs.put(store.name(), new TopicPartition(subtopology.changelogTopic(store.name()), partition));
                    }
                }
                tasks.add(new TaskSpec(new TaskId(subtopology.id(), partition), subtopology, inputs, changelogs,
                    sourceChangelogs));
            }
        }
        Collections.sort(tasks);
        return tasks;
    }

    private List<String> inputTopics(final Subtopology subtopology) {
        final List<String> topics = new ArrayList<>(subtopology.sourceByTopic().keySet());
        for (final NodeSpec.Source source : subtopology.patternSources()) {
            for (final String topic : new TreeSet<>(partitions.keySet())) {
                if (source.pattern().matcher(topic).matches() && !topics.contains(topic)) {
                    topics.add(topic);
                }
            }
        }
        return topics;
    }

    /**
     * The changelog's settings, as Kafka sets them: compacted; window and session stores also delete after the store's
     * retention plus a day; the user's {@code withLoggingEnabled(config)} on top.
     */
    static Map<String, String> changelogConfig(final StoreBuilder<?> builder) {
        final Map<String, String> config = new LinkedHashMap<>();
        config.put("cleanup.policy", "compact");
        final Long retention = retentionPeriod(builder);
        if (retention != null) {
            config.put("cleanup.policy", "compact,delete");
            final long total = retention + ADDITIONAL_RETENTION_MS;
            config.put("retention.ms", String.valueOf(total < 0 ? Long.MAX_VALUE : total));
        }
        config.putAll(builder.logConfig());
        return config;
    }

    /** The retention of a window or session store builder ({@code retentionPeriod()}), or null for other stores. */
    private static Long retentionPeriod(final StoreBuilder<?> builder) {
        try {
            final java.lang.reflect.Method method = builder.getClass().getMethod("retentionPeriod");
            if (method.getReturnType() == long.class) {
                return (Long) method.invoke(builder);
            }
        } catch (final NoSuchMethodException e) {
            return null;
        } catch (final ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }
}
