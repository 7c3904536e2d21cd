package io.pspf.streams.kstream.internals;

import java.util.Collections;
import java.util.HashMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.DslStoreFormat;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.TableJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

import io.pspf.streams.state.Stores;

/**
 * {@code KTable.join} and {@code leftJoin} on a foreign key, laid out as Kafka Streams 4.4 lays them out: the left
 * table sends subscriptions through a subscription topic to the right table's side, which keeps them in a
 * subscription store and answers through a response topic; the left side resolves the answers into a result table
 * (Kafka's {@code KTableSource} over the answers, materialized only when asked). Names take the builder's counter
 * in Kafka's order, so generated names, topics and stores match; {@code TableJoined.withName} gives them all a
 * common prefix instead.
 */
final class ForeignKeyJoin {
    private static final String REGISTRATION = "KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-";
    private static final String RESPONSE = "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-";
    private static final String STORE = "KTABLE-FK-JOIN-SUBSCRIPTION-STATE-STORE-";
    private static final String PROCESSOR = "KTABLE-FK-JOIN-SUBSCRIPTION-PROCESSOR-";
    private static final String RESOLVER = "KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-RESOLVER-PROCESSOR-";
    private static final String OUTPUT = "KTABLE-FK-JOIN-OUTPUT-";
    private static final String SINK = "KTABLE-SINK-";
    private static final String SOURCE = "KTABLE-SOURCE-";
    private static final String TOPIC_SUFFIX = "-topic";

    private ForeignKeyJoin() {
    }

    /** A foreign-key extractor from the value only; a null function fails only when the first value arrives. */
    static <K, V, KO> BiFunction<K, V, KO> fromFunction(final java.util.function.Function<? super V, ? extends KO> extractor) {
        return (key, value) -> extractor.apply(value);
    }

    /** A foreign-key extractor from key and value; a null function fails at once, without a message. */
    static <K, V, KO> BiFunction<K, V, KO> fromBiFunction(final BiFunction<? super K, ? super V, ? extends KO> extractor) {
        Objects.requireNonNull(extractor);
        return extractor::apply;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    static <K, V, VR, KO, VO> KTable<K, VR> join(final KTableImpl<K, ?, V> left, final KTable<KO, VO> foreignKeyTable,
                                                 final BiFunction<? super K, ? super V, ? extends KO> extractor,
                                                 final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                                                 final TableJoined<K, KO> tableJoined,
                                                 final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized,
                                                 final boolean leftJoin) {
        Objects.requireNonNull(foreignKeyTable, "foreignKeyTable can't be null");
        Objects.requireNonNull(extractor, "foreignKeyExtractor can't be null");
        Objects.requireNonNull(joiner, "joiner can't be null");
        Objects.requireNonNull(tableJoined, "tableJoined can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final KTableImpl<KO, ?, VO> right = (KTableImpl<KO, ?, VO>) foreignKeyTable;
        right.enableSendingOldValues(true);
        left.enableSendingOldValues(true);

        final ConfigAccess.TableJoinedReader<K, KO> joined = new ConfigAccess.TableJoinedReader<>(tableJoined);
        final String name = InternalStreamsBuilder.validated(joined.name());
        final InternalStreamsBuilder builder = left.builder;

        final String topic = named(builder, name, "-subscription-registration", REGISTRATION) + TOPIC_SUFFIX;
        final ForeignKeyPseudoTopics pseudoTopics = new ForeignKeyPseudoTopics(topic);
        final Serde<KO> foreignKeySerde = right.keySerde;
        final SubscriptionWrapperSerde<K> subscriptionSerde = new SubscriptionWrapperSerde<>(pseudoTopics, left.keySerde);
        final SubscriptionResponseWrapperSerde<VO> responseSerde = new SubscriptionResponseWrapperSerde<>(right.valueSerde);
        final ForeignKeyCombinedKeys<KO, K> keys = new ForeignKeyCombinedKeys<>(pseudoTopics, foreignKeySerde, left.keySerde);

        final String sendName = named(builder, name, "-subscription-registration-processor", REGISTRATION);
        final ForeignKeyJoinProcessors.Send<K, V, KO> send = new ForeignKeyJoinProcessors.Send<>(extractor, pseudoTopics,
            KStreamImpl.serializer(foreignKeySerde), KStreamImpl.serializer(left.valueSerde), leftJoin, left.isVersioned());
        final StreamPartitioner<KO, Void> otherPartitioner = joined.otherPartitioner();
        final StreamPartitioner<KO, SubscriptionWrapper<K>> subscriptionPartitioner =
            otherPartitioner == null ? null : new SubscriptionPartitioner<>(otherPartitioner);
        final String subscriptionSink = named(builder, name, "-subscription-registration-sink", SINK);
        final String subscriptionSource = named(builder, name, "-subscription-registration-source", SOURCE);

        final String storeName = named(builder, name, "-subscription-store", STORE);
        final String receiveName = named(builder, name, "-subscription-receive", PROCESSOR);
        final ForeignKeyJoinProcessors.Receive<KO, K> receive =
            new ForeignKeyJoinProcessors.Receive<>(storeName, keys, subscriptionSerde);

        final TableGetter.Supplier<KO, VO> rightView = right.valueGetterSupplier();
        final String lookupName = named(builder, name, "-subscription-join-foreign", PROCESSOR);
        final ForeignKeyJoinProcessors.Lookup<KO, K, VO> lookup = new ForeignKeyJoinProcessors.Lookup<>(rightView);

        final String rightChangeName = named(builder, name, "-foreign-join-subscription", PROCESSOR);
        final ForeignKeyJoinProcessors.RightChange<KO, VO, K> rightChange =
            new ForeignKeyJoinProcessors.RightChange<>(storeName, keys, subscriptionSerde, right.isVersioned());

        final String responseTopic = named(builder, name, "-subscription-response", RESPONSE) + TOPIC_SUFFIX;
        final StreamPartitioner<K, Void> partitioner = joined.partitioner();
        final StreamPartitioner<K, SubscriptionResponseWrapper<VO>> responsePartitioner =
            partitioner == null ? new ResponsePartitioner<>() : new UserResponsePartitioner<>(partitioner);
        final String responseSink = named(builder, name, "-subscription-response-sink", SINK);
        final String responseSource = named(builder, name, "-subscription-response-source", SOURCE);

        final TableGetter.Supplier<K, V> leftView = left.valueGetterSupplier();
        final String resolverName = named(builder, name, "-subscription-response-resolver", RESOLVER);
        final ForeignKeyJoinProcessors.Resolve<K, V, VO, VR> resolve = new ForeignKeyJoinProcessors.Resolve<>(leftView,
            KStreamImpl.serializer(left.valueSerde), pseudoTopics, joiner, leftJoin);

        final String resultName = named(builder, name, "-result", OUTPUT);
        final MaterializedSpec<K, VR> spec = new MaterializedSpec<>(materialized, builder, OUTPUT);
        spec.withSerdesIfMissing(left.keySerde, null);
        final TableSource<K, VR> result = new TableSource<>(spec);

        final String leftName = left.name;
        final String rightName = right.name;
        final StoreBuilder<?>[] subscriptionStore = new StoreBuilder<?>[1];
        builder.write(g -> g.addInternalTopic(topic, -1));
        builder.write(g -> g.addProcessor(sendName, send, leftName));
        builder.write(g -> g.addSink(subscriptionSink, topic, null, KStreamImpl.serializer(foreignKeySerde),
            subscriptionSerde.serializer(), subscriptionPartitioner, sendName));
        builder.write(g -> g.addSource(null, subscriptionSource, null, KStreamImpl.deserializer(foreignKeySerde),
            subscriptionSerde.deserializer(), topic));
        builder.write(g -> {
            g.addProcessor(receiveName, receive, subscriptionSource);
            subscriptionStore[0] = subscriptionStore(builder, storeName, subscriptionSerde);
            g.addStateStore(subscriptionStore[0], receiveName);
        });
        builder.write(g -> {
            g.addProcessor(lookupName, lookup, receiveName);
            g.connectProcessorAndStateStores(lookupName, rightView.storeNames());
        });
        builder.write(g -> {
            g.addProcessor(rightChangeName, rightChange, rightName);
            g.addStateStore(subscriptionStore[0], rightChangeName);
        });
        builder.write(g -> g.addInternalTopic(responseTopic, -1));
        builder.write(g -> g.addSink(responseSink, responseTopic, null, KStreamImpl.serializer(left.keySerde),
            responseSerde.serializer(), responsePartitioner, lookupName, rightChangeName));
        builder.write(g -> g.addSource(null, responseSource, null, KStreamImpl.deserializer(left.keySerde),
            responseSerde.deserializer(), responseTopic));
        builder.write(g -> {
            g.addProcessor(resolverName, resolve, responseSource);
            g.connectProcessorAndStateStores(resolverName, leftView.storeNames());
        });
        builder.write(g -> {
            g.addProcessor(resultName, result, resolverName);
            if (result.materialized()) {
                g.addStateStore(spec.keyValueStore(builder), resultName);
            }
        });
        return new KTableImpl<>(builder, resultName, left.keySerde, spec.valueSerde, spec.storeName(),
            (TableProcessorSupplier) result, spec.isVersioned());
    }

    /**
     * A name from the builder's counter (Kafka's {@code NamedInternal.suffixWithOrElseGet}): the join's name with
     * {@code suffix} when the join is named, else {@code prefix} with the next index; an index is used either way.
     */
    private static String named(final InternalStreamsBuilder builder, final String name, final String suffix,
                                final String prefix) {
        return InternalStreamsBuilder.validated(builder.name(name == null ? null : name + suffix, prefix));
    }

    /** The subscription store: timestamped with headers, raw keys, logged, never cached. */
    private static StoreBuilder<?> subscriptionStore(final InternalStreamsBuilder builder, final String storeName,
                                                     final SubscriptionWrapperSerde<?> serde) {
        final KeyValueBytesStoreSupplier supplier = builder.dslStoreSuppliers()
            .keyValueStore(new DslKeyValueParams(storeName, DslStoreFormat.TIMESTAMPED));
        return Stores.timestampedKeyValueStoreWithHeadersBuilder(supplier, Serdes.Bytes(), serde)
            .withLoggingEnabled(new HashMap<>())
            .withCachingDisabled();
    }

    /** Kafka's check of a user partitioner's answer: none, or exactly one partition. */
    private static Optional<Set<Integer>> singlePartition(final Optional<Set<Integer>> partitions) {
        if (partitions.isEmpty()) {
            return Optional.empty();
        }
        if (partitions.get().size() != 1) {
            throw new IllegalArgumentException("The partitions returned by StreamPartitioner#partitions method when used "
                + "for FK join should be a singleton set");
        }
        return partitions;
    }

    /** Sends a subscription where the user's partitioner of the right table puts its foreign key. */
    private static final class SubscriptionPartitioner<KO, K> implements StreamPartitioner<KO, SubscriptionWrapper<K>> {
        private final StreamPartitioner<KO, Void> otherPartitioner;

        SubscriptionPartitioner(final StreamPartitioner<KO, Void> otherPartitioner) {
            this.otherPartitioner = otherPartitioner;
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final KO key, final SubscriptionWrapper<K> value,
                                                 final int numPartitions) {
            throw new UnsupportedOperationException("This method is deprecated and should not be called.");
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final KO key, final SubscriptionWrapper<K> value,
                                                 final Headers headers, final int numPartitions) {
            return singlePartition(otherPartitioner.partitions(topic, key, null, headers, numPartitions));
        }
    }

    /** Sends a response back to the partition the subscription came from. */
    private static final class ResponsePartitioner<K, VO> implements StreamPartitioner<K, SubscriptionResponseWrapper<VO>> {
        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final SubscriptionResponseWrapper<VO> value,
                                                 final int numPartitions) {
            throw new UnsupportedOperationException("This method is deprecated and should not be called.");
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final SubscriptionResponseWrapper<VO> value,
                                                 final Headers headers, final int numPartitions) {
            final Integer partition = value.primaryPartition();
            return partition == null ? Optional.empty() : Optional.of(Collections.singleton(partition));
        }
    }

    /** Sends a response where the user's partitioner of the left table puts its key. */
    private static final class UserResponsePartitioner<K, VO> implements StreamPartitioner<K, SubscriptionResponseWrapper<VO>> {
        private final StreamPartitioner<K, Void> partitioner;

        UserResponsePartitioner(final StreamPartitioner<K, Void> partitioner) {
            this.partitioner = partitioner;
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final SubscriptionResponseWrapper<VO> value,
                                                 final int numPartitions) {
            throw new UnsupportedOperationException("This method is deprecated and should not be called.");
        }

        @Override
        public Optional<Set<Integer>> partitions(final String topic, final K key, final SubscriptionResponseWrapper<VO> value,
                                                 final Headers headers, final int numPartitions) {
            return singlePartition(partitioner.partitions(topic, key, null, headers, numPartitions));
        }
    }
}
