package io.pspf.streams.kstream.internals;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.ForeachAction;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.JoinWindows;
import org.apache.kafka.streams.kstream.Joined;
import org.apache.kafka.streams.kstream.KGroupedStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.kstream.StreamJoined;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.kstream.ValueJoinerWithKey;
import org.apache.kafka.streams.kstream.ValueJoinerWithStreamAndMappedKey;
import org.apache.kafka.streams.kstream.ValueMapper;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.processor.FailOnInvalidTimestamp;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TopicNameExtractor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;

import io.pspf.runtime.graph.GraphBuilder;

/**
 * PSPF's {@link KStream}: each operator null-checks its arguments with Kafka's messages, takes a name (the
 * user's, or a generated one) and adds one processor node below this stream's node. The stream remembers the
 * serdes it knows (from {@code Consumed}, kept by operators that do not change key or value type) for sinks and
 * repartition topics further down, as Kafka does.
 */
public final class KStreamImpl<K, V> implements KStream<K, V> {
    static final String SOURCE = "KSTREAM-SOURCE-";
    static final String SINK = "KSTREAM-SINK-";
    static final String FILTER = "KSTREAM-FILTER-";
    static final String KEY_SELECT = "KSTREAM-KEY-SELECT-";
    static final String MAP = "KSTREAM-MAP-";
    static final String MAPVALUES = "KSTREAM-MAPVALUES-";
    static final String FLATMAP = "KSTREAM-FLATMAP-";
    static final String FLATMAPVALUES = "KSTREAM-FLATMAPVALUES-";
    static final String PEEK = "KSTREAM-PEEK-";
    static final String FOREACH = "KSTREAM-FOREACH-";
    static final String PRINTER = "KSTREAM-PRINTER-";
    static final String BRANCH = "KSTREAM-BRANCH-";
    static final String MERGE = "KSTREAM-MERGE-";
    static final String REPARTITION = "KSTREAM-REPARTITION-";
    static final String PROCESSOR = "KSTREAM-PROCESSOR-";
    static final String PROCESSVALUES = "KSTREAM-PROCESSVALUES-";
    static final String REPARTITION_TOPIC_SUFFIX = "-repartition";

    final InternalStreamsBuilder builder;
    final String name;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    final boolean repartitionRequired;

    public KStreamImpl(final InternalStreamsBuilder builder, final String name, final Serde<K> keySerde,
                       final Serde<V> valueSerde, final boolean repartitionRequired) {
        this.builder = builder;
        this.name = name;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.repartitionRequired = repartitionRequired;
    }

    private static String nameOf(final Named named) {
        Objects.requireNonNull(named, "named cannot be null");
        return InternalStreamsBuilder.validated(ConfigAccess.name(named));
    }

    private <KR, VR> KStreamImpl<KR, VR> child(final String childName, final Serde<KR> keySerde, final Serde<VR> valueSerde,
                                               final boolean repartition) {
        return new KStreamImpl<>(builder, childName, keySerde, valueSerde, repartition);
    }

    // ------------------------------------------------------------------------------------------------ filter

    @Override
    public KStream<K, V> filter(final Predicate<? super K, ? super V> predicate) {
        return filter(predicate, NamedHolder.NONE);
    }

    @Override
    public KStream<K, V> filter(final Predicate<? super K, ? super V> predicate, final Named named) {
        Objects.requireNonNull(predicate, "predicate cannot be null");
        final String nodeName = builder.name(nameOf(named), FILTER);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.filter(predicate, false), name));
        return child(nodeName, keySerde, valueSerde, repartitionRequired);
    }

    @Override
    public KStream<K, V> filterNot(final Predicate<? super K, ? super V> predicate) {
        return filterNot(predicate, NamedHolder.NONE);
    }

    @Override
    public KStream<K, V> filterNot(final Predicate<? super K, ? super V> predicate, final Named named) {
        Objects.requireNonNull(predicate, "predicate cannot be null");
        final String nodeName = builder.name(nameOf(named), FILTER);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.filter(predicate, true), name));
        return child(nodeName, keySerde, valueSerde, repartitionRequired);
    }

    // ------------------------------------------------------------------------------------------------ keys and values

    @Override
    public <KR> KStream<KR, V> selectKey(final KeyValueMapper<? super K, ? super V, ? extends KR> mapper) {
        return selectKey(mapper, NamedHolder.NONE);
    }

    @Override
    public <KR> KStream<KR, V> selectKey(final KeyValueMapper<? super K, ? super V, ? extends KR> mapper, final Named named) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        final String nodeName = builder.name(nameOf(named), KEY_SELECT);
        final KeyValueMapper<K, V, KeyValue<KR, V>> pair = (key, value) -> new KeyValue<>(mapper.apply(key, value), value);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.map(pair), name));
        return child(nodeName, null, valueSerde, true);
    }

    @Override
    public <VR> KStream<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper) {
        return mapValues(withKey(mapper), NamedHolder.NONE);
    }

    @Override
    public <VR> KStream<K, VR> mapValues(final ValueMapper<? super V, ? extends VR> mapper, final Named named) {
        return mapValues(withKey(mapper), named);
    }

    @Override
    public <VR> KStream<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper) {
        return mapValues(mapper, NamedHolder.NONE);
    }

    @Override
    public <VR> KStream<K, VR> mapValues(final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper, final Named named) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        final String nodeName = builder.name(nameOf(named), MAPVALUES);
        builder.write(g -> g.addFixedKeyProcessor(nodeName, StatelessProcessors.mapValues(mapper), name));
        return child(nodeName, keySerde, null, repartitionRequired);
    }

    private static <K, V, VR> ValueMapperWithKey<K, V, VR> withKey(final ValueMapper<? super V, ? extends VR> mapper) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        return (readOnlyKey, value) -> mapper.apply(value);
    }

    @Override
    public <KR, VR> KStream<KR, VR> map(final KeyValueMapper<? super K, ? super V, ? extends KeyValue<? extends KR, ? extends VR>> mapper) {
        return map(mapper, NamedHolder.NONE);
    }

    @Override
    public <KR, VR> KStream<KR, VR> map(final KeyValueMapper<? super K, ? super V, ? extends KeyValue<? extends KR, ? extends VR>> mapper,
                                        final Named named) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        final String nodeName = builder.name(nameOf(named), MAP);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.map(mapper), name));
        return child(nodeName, null, null, true);
    }

    @Override
    public <KR, VR> KStream<KR, VR> flatMap(
        final KeyValueMapper<? super K, ? super V, ? extends Iterable<? extends KeyValue<? extends KR, ? extends VR>>> mapper) {
        return flatMap(mapper, NamedHolder.NONE);
    }

    @Override
    public <KR, VR> KStream<KR, VR> flatMap(
        final KeyValueMapper<? super K, ? super V, ? extends Iterable<? extends KeyValue<? extends KR, ? extends VR>>> mapper,
        final Named named) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        final String nodeName = builder.name(nameOf(named), FLATMAP);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.flatMap(mapper), name));
        return child(nodeName, null, null, true);
    }

    @Override
    public <VR> KStream<K, VR> flatMapValues(final ValueMapper<? super V, ? extends Iterable<? extends VR>> mapper) {
        return flatMapValues(withKey(mapper), NamedHolder.NONE);
    }

    @Override
    public <VR> KStream<K, VR> flatMapValues(final ValueMapper<? super V, ? extends Iterable<? extends VR>> mapper,
                                             final Named named) {
        return flatMapValues(withKey(mapper), named);
    }

    @Override
    public <VR> KStream<K, VR> flatMapValues(final ValueMapperWithKey<? super K, ? super V, ? extends Iterable<? extends VR>> mapper) {
        return flatMapValues(mapper, NamedHolder.NONE);
    }

    @Override
    public <VR> KStream<K, VR> flatMapValues(final ValueMapperWithKey<? super K, ? super V, ? extends Iterable<? extends VR>> mapper,
                                             final Named named) {
        Objects.requireNonNull(mapper, "mapper cannot be null");
        final String nodeName = builder.name(nameOf(named), FLATMAPVALUES);
        builder.write(g -> g.addFixedKeyProcessor(nodeName, StatelessProcessors.flatMapValues(mapper), name));
        return child(nodeName, keySerde, null, repartitionRequired);
    }

    // ------------------------------------------------------------------------------------------------ actions

    @Override
    public void print(final Printed<K, V> printed) {
        Objects.requireNonNull(printed, "printed cannot be null");
        final ConfigAccess.PrintedReader<K, V> reader = new ConfigAccess.PrintedReader<>(printed);
        final String nodeName = builder.name(InternalStreamsBuilder.validated(reader.name()), PRINTER);
        final String label = reader.label() != null ? reader.label() : name;
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.print(reader.outputStream(), label, reader.mapper()), name));
    }

    @Override
    public void foreach(final ForeachAction<? super K, ? super V> action) {
        foreach(action, NamedHolder.NONE);
    }

    @Override
    public void foreach(final ForeachAction<? super K, ? super V> action, final Named named) {
        Objects.requireNonNull(action, "action cannot be null");
        final String nodeName = builder.name(nameOf(named), FOREACH);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.peek(action, false), name));
    }

    @Override
    public KStream<K, V> peek(final ForeachAction<? super K, ? super V> action) {
        return peek(action, NamedHolder.NONE);
    }

    @Override
    public KStream<K, V> peek(final ForeachAction<? super K, ? super V> action, final Named named) {
        Objects.requireNonNull(action, "action cannot be null");
        final String nodeName = builder.name(nameOf(named), PEEK);
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.peek(action, true), name));
        return child(nodeName, keySerde, valueSerde, repartitionRequired);
    }

    // ------------------------------------------------------------------------------------------------ split and merge

    @Override
    public BranchedKStream<K, V> split() {
        return split(NamedHolder.NONE);
    }

    @Override
    public BranchedKStream<K, V> split(final Named named) {
        Objects.requireNonNull(named, "named cannot be null");
        final String splitName = builder.name(nameOf(named), BRANCH);
        return new BranchedKStreamImpl<>(this, splitName);
    }

    @Override
    public KStream<K, V> merge(final KStream<K, V> stream) {
        return merge(stream, NamedHolder.NONE);
    }

    @Override
    public KStream<K, V> merge(final KStream<K, V> stream, final Named named) {
        final String userName = nameOf(named);
        Objects.requireNonNull(stream, "otherStream cannot be null");
        final KStreamImpl<K, V> other = (KStreamImpl<K, V>) stream;
        final String nodeName = builder.name(userName, MERGE);
        final String[] parents = other.name.equals(name) ? new String[] {name} : new String[] {name, other.name};
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.passThrough(), parents));
        return child(nodeName, null, null, repartitionRequired || other.repartitionRequired);
    }

    // ------------------------------------------------------------------------------------------------ repartition

    @Override
    public KStream<K, V> repartition() {
        return repartition(Repartitioned.with(null, null));
    }

    @Override
    public KStream<K, V> repartition(final Repartitioned<K, V> repartitioned) {
        Objects.requireNonNull(repartitioned, "repartitioned cannot be null");
        final ConfigAccess.RepartitionedReader<K, V> reader = new ConfigAccess.RepartitionedReader<>(repartitioned);
        final String base = reader.name() != null ? reader.name() : builder.newProcessorName(REPARTITION);
        final boolean named = reader.name() != null;
        final boolean generatedNames = !named || base.matches("KSTREAM.*-[0-9]{10}");
        final String topicName = base.endsWith(REPARTITION_TOPIC_SUFFIX) ? base : base + REPARTITION_TOPIC_SUFFIX;
        final String sinkName = builder.name(generatedNames ? null : topicName + "-sink", SINK);
        final String filterName = builder.name(generatedNames ? null : topicName + "-filter", FILTER);
        final String sourceName = builder.name(generatedNames ? null : topicName + "-source", SOURCE);
        final String topic = base.endsWith(REPARTITION_TOPIC_SUFFIX) ? base : base + REPARTITION_TOPIC_SUFFIX;
        // Kafka 4.4 writes and reads the repartition topic with Repartitioned's key serde or else the default one
        // (the stream's key serde is not used there), and with Repartitioned's value serde or else the stream's
        final Serde<K> topicKeys = reader.keySerde();
        final Serde<K> keys = reader.keySerde() != null ? reader.keySerde() : keySerde;
        final Serde<V> values = reader.valueSerde() != null ? reader.valueSerde() : valueSerde;
        builder.write(g -> g.addInternalTopic(topic, reader.numberOfPartitions() == null ? -1 : reader.numberOfPartitions()));
        builder.write(g -> g.addProcessor(filterName, StatelessProcessors.<K, V>filter((key, value) -> key != null, false), name));
        builder.write(g -> g.addSink(sinkName, topic, null, serializer(topicKeys), serializer(values), reader.partitioner(), filterName));
        builder.write(g -> g.addSource(null, sourceName, new FailOnInvalidTimestamp(), deserializer(topicKeys), deserializer(values), topic));
        return child(sourceName, keys, values, false);
    }

    static <T> Serializer<T> serializer(final Serde<T> serde) {
        return serde == null ? null : serde.serializer();
    }

    static <T> Deserializer<T> deserializer(final Serde<T> serde) {
        return serde == null ? null : serde.deserializer();
    }

    // ------------------------------------------------------------------------------------------------ sinks

    @Override
    public void to(final String topic) {
        to(topic, Produced.with(keySerde, valueSerde));
    }

    @Override
    public void to(final String topic, final Produced<K, V> produced) {
        Objects.requireNonNull(topic, "topic cannot be null");
        Objects.requireNonNull(produced, "produced cannot be null");
        addSink(topic, null, produced);
    }

    @Override
    public void to(final TopicNameExtractor<K, V> topicExtractor) {
        to(topicExtractor, Produced.with(keySerde, valueSerde));
    }

    @Override
    public void to(final TopicNameExtractor<K, V> topicExtractor, final Produced<K, V> produced) {
        Objects.requireNonNull(topicExtractor, "topicExtractor cannot be null");
        Objects.requireNonNull(produced, "produced cannot be null");
        addSink(null, topicExtractor, produced);
    }

    private void addSink(final String topic, final TopicNameExtractor<K, V> extractor, final Produced<K, V> produced) {
        final ConfigAccess.ProducedReader<K, V> reader = new ConfigAccess.ProducedReader<>(produced);
        final Serde<K> keys = reader.keySerde() != null ? reader.keySerde() : keySerde;
        final Serde<V> values = reader.valueSerde() != null ? reader.valueSerde() : valueSerde;
        final String nodeName = builder.name(InternalStreamsBuilder.validated(reader.name()), SINK);
        builder.write(g -> g.addSink(nodeName, topic, extractor, serializer(keys), serializer(values),
            (StreamPartitioner<?, ?>) reader.partitioner(), name));
    }

    // ------------------------------------------------------------------------------------------------ process

    @Override
    public <KR, VR> KStream<KR, VR> process(final ProcessorSupplier<? super K, ? super V, ? extends KR, ? extends VR> processorSupplier,
                                            final String... stateStoreNames) {
        final String generated = builder.newProcessorName(PROCESSOR);
        return doProcess(processorSupplier, generated, stateStoreNames);
    }

    @Override
    public <KR, VR> KStream<KR, VR> process(final ProcessorSupplier<? super K, ? super V, ? extends KR, ? extends VR> processorSupplier,
                                            final Named named, final String... stateStoreNames) {
        GraphBuilder.checkSupplier(processorSupplier);
        Objects.requireNonNull(named, "named cannot be null");
        return doProcess(processorSupplier, ConfigAccess.name(named), stateStoreNames);
    }

    private <KR, VR> KStream<KR, VR> doProcess(final ProcessorSupplier<? super K, ? super V, ? extends KR, ? extends VR> processorSupplier,
                                               final String nodeName, final String[] stateStoreNames) {
        GraphBuilder.checkSupplier(processorSupplier);
        checkStoreNames(stateStoreNames);
        builder.write(g -> g.addProcessor(nodeName, processorSupplier, name));
        connectStores(nodeName, processorSupplier.stores(), stateStoreNames);
        return child(nodeName, null, null, true);
    }

    @Override
    public <VR> KStream<K, VR> processValues(final FixedKeyProcessorSupplier<? super K, ? super V, ? extends VR> processorSupplier,
                                             final String... stateStoreNames) {
        final String generated = builder.newProcessorName(PROCESSVALUES);
        return doProcessValues(processorSupplier, generated, stateStoreNames);
    }

    @Override
    public <VR> KStream<K, VR> processValues(final FixedKeyProcessorSupplier<? super K, ? super V, ? extends VR> processorSupplier,
                                             final Named named, final String... stateStoreNames) {
        Objects.requireNonNull(processorSupplier, "processorSupplier cannot be null");
        Objects.requireNonNull(named, "named cannot be null");
        return doProcessValues(processorSupplier, ConfigAccess.name(named), stateStoreNames);
    }

    private <VR> KStream<K, VR> doProcessValues(final FixedKeyProcessorSupplier<? super K, ? super V, ? extends VR> processorSupplier,
                                                final String nodeName, final String[] stateStoreNames) {
        Objects.requireNonNull(processorSupplier, "processorSupplier cannot be null");
        checkStoreNames(stateStoreNames);
        builder.write(g -> g.addFixedKeyProcessor(nodeName, processorSupplier, name));
        connectStores(nodeName, processorSupplier.stores(), stateStoreNames);
        return child(nodeName, keySerde, null, repartitionRequired);
    }

    private static void checkStoreNames(final String[] stateStoreNames) {
        Objects.requireNonNull(stateStoreNames, "stateStoreNames cannot be a null array");
        for (final String storeName : stateStoreNames) {
            Objects.requireNonNull(storeName, "state store name cannot be null");
        }
    }

    private void connectStores(final String nodeName, final Set<StoreBuilder<?>> stores, final String[] storeNames) {
        if (stores != null) {
            for (final StoreBuilder<?> store : stores) {
                builder.write(g -> g.addStateStore(store, nodeName));
            }
        }
        if (storeNames.length > 0) {
            builder.write(g -> g.connectProcessorAndStateStores(nodeName, Arrays.copyOf(storeNames, storeNames.length)));
        }
    }

    // ------------------------------------------------------------------------------------------------ stateful (issue #3)

    @Override
    public KTable<K, V> toTable() {
        throw StatefulDsl.notYet("KStream#toTable");
    }

    @Override
    public KTable<K, V> toTable(final Named arg0) {
        throw StatefulDsl.notYet("KStream#toTable");
    }

    @Override
    public KTable<K, V> toTable(final Materialized<K, V, KeyValueStore<Bytes, byte[]>> arg0) {
        throw StatefulDsl.notYet("KStream#toTable");
    }

    @Override
    public KTable<K, V> toTable(final Named arg0, final Materialized<K, V, KeyValueStore<Bytes, byte[]>> arg1) {
        throw StatefulDsl.notYet("KStream#toTable");
    }

    @Override
    public KGroupedStream<K, V> groupByKey() {
        throw StatefulDsl.notYet("KStream#groupByKey");
    }

    @Override
    public KGroupedStream<K, V> groupByKey(final Grouped<K, V> arg0) {
        throw StatefulDsl.notYet("KStream#groupByKey");
    }

    @Override
    public <KOut> KGroupedStream<KOut, V> groupBy(final KeyValueMapper<? super K, ? super V, KOut> arg0) {
        throw StatefulDsl.notYet("KStream#groupBy");
    }

    @Override
    public <KOut> KGroupedStream<KOut, V> groupBy(final KeyValueMapper<? super K, ? super V, KOut> arg0, final Grouped<KOut, V> arg1) {
        throw StatefulDsl.notYet("KStream#groupBy");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#outerJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2) {
        throw StatefulDsl.notYet("KStream#outerJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> arg0, final ValueJoiner<? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#outerJoin");
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> arg1, final JoinWindows arg2, final StreamJoined<K, V, VRight> arg3) {
        throw StatefulDsl.notYet("KStream#outerJoin");
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> arg0, final ValueJoiner<? super V, ? super TableValue, ? extends VOut> arg1) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super TableValue, ? extends VOut> arg1) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> arg0, final ValueJoiner<? super V, ? super TableValue, ? extends VOut> arg1, final Joined<K, V, TableValue> arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super TableValue, ? extends VOut> arg1, final Joined<K, V, TableValue> arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> arg0, final ValueJoiner<? super V, ? super VTable, ? extends VOut> arg1) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VTable, ? extends VOut> arg1) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> arg0, final ValueJoiner<? super V, ? super VTable, ? extends VOut> arg1, final Joined<K, V, VTable> arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> arg0, final ValueJoinerWithKey<? super K, ? super V, ? super VTable, ? extends VOut> arg1, final Joined<K, V, VTable> arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#join");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> arg2) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> arg0, final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> arg1, final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> arg2, final Named arg3) {
        throw StatefulDsl.notYet("KStream#leftJoin");
    }
}
