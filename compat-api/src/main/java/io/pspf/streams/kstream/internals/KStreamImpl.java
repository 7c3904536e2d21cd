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
    static final String TOTABLE = "KSTREAM-TOTABLE-";
    static final String JOIN = "KSTREAM-JOIN-";
    static final String LEFTJOIN = "KSTREAM-LEFTJOIN-";

    final InternalStreamsBuilder builder;
    final String name;
    final Serde<K> keySerde;
    final Serde<V> valueSerde;
    final boolean repartitionRequired;
    /** Where this stream sits below key changers, for merging repartition topics; see InternalStreamsBuilder. */
    InternalStreamsBuilder.Ancestry ancestry = InternalStreamsBuilder.Ancestry.EMPTY;

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
        final KStreamImpl<KR, VR> child = new KStreamImpl<>(builder, childName, keySerde, valueSerde, repartition);
        child.ancestry = InternalStreamsBuilder.Ancestry.below(childName, ancestry);
        return child;
    }

    /** A child written by the write just queued, which changes keys and/or values. */
    private <KR, VR> KStreamImpl<KR, VR> changed(final String childName, final Serde<KR> keySerde,
                                                 final Serde<VR> valueSerde, final boolean repartition,
                                                 final boolean keyChanging, final boolean valueChanging) {
        final KStreamImpl<KR, VR> child = new KStreamImpl<>(builder, childName, keySerde, valueSerde, repartition);
        child.ancestry = builder.changer(childName, keyChanging, valueChanging, ancestry);
        return child;
    }

    /** The parent {@code child} is written below: this stream's node, unless the repartition merging moved it. */
    String parentFor(final String child) {
        return builder.parent(child, name);
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
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.filter(predicate, false), parentFor(nodeName)));
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
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.filter(predicate, true), parentFor(nodeName)));
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
        return changed(nodeName, null, valueSerde, true, true, false);
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
        return changed(nodeName, keySerde, null, repartitionRequired, false, true);
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
        return changed(nodeName, null, null, true, true, false);
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
        return changed(nodeName, null, null, true, true, false);
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
        return changed(nodeName, keySerde, null, repartitionRequired, false, true);
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
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.peek(action, true), parentFor(nodeName)));
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
        builder.write(g -> g.addProcessor(nodeName, StatelessProcessors.passThrough(), builder.parents(nodeName, parents)));
        final KStreamImpl<K, V> merged = new KStreamImpl<>(builder, nodeName, null, null,
            repartitionRequired || other.repartitionRequired);
        merged.ancestry = other.name.equals(name) ? builder.changer(nodeName, false, false, ancestry)
            : builder.changer(nodeName, false, false, ancestry, other.ancestry);
        return merged;
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
        // Kafka 4.4 writes and reads the repartition topic with Repartitioned's key serde or else the default one
        // (the stream's key serde is not used there), and with Repartitioned's value serde or else the stream's
        final Serde<K> keys = reader.keySerde() != null ? reader.keySerde() : keySerde;
        final Serde<V> values = reader.valueSerde() != null ? reader.valueSerde() : valueSerde;
        final String sourceName = repartitionedSource(base, reader.keySerde(), values,
            reader.numberOfPartitions() == null ? -1 : reader.numberOfPartitions(), reader.partitioner(), () -> true, true,
            false);
        // not optimizable: Kafka never merges a repartition() topic, and PSPF does not trace ancestry through it
        return new KStreamImpl<>(builder, sourceName, keys, values, false);
    }

    /**
     * Adds a repartition topic below this stream (Kafka's {@code createRepartitionedSource}): a filter, a sink to
     * {@code <prefix>-repartition} and a source reading it back. It always takes three indices of the counter
     * (sink, filter, source); the nodes have generated names when {@code prefix} is itself a generated name and
     * {@code <topic>-sink}, {@code -filter}, {@code -source} otherwise.
     *
     * @param dropNullKeys whether the filter drops records with a null key (all but the KIP-962 left joins)
     * @param write        false to only take the names, when an existing repartition topic is reused
     * @return the name of the source node that reads the topic
     */
    String repartitionedSource(final String prefix, final Serde<K> topicKeySerde, final Serde<V> topicValueSerde,
                               final int partitions, final StreamPartitioner<? super K, ? super V> partitioner,
                               final boolean dropNullKeys, final boolean write) {
        return repartitionedSource(prefix, topicKeySerde, topicValueSerde, partitions, partitioner,
            dropNullKeys ? () -> true : () -> false, write);
    }

    /** As above, with the null-key decision read while records flow (a later left join may relax it). */
    String repartitionedSource(final String prefix, final Serde<K> topicKeySerde, final Serde<V> topicValueSerde,
                               final int partitions, final StreamPartitioner<? super K, ? super V> partitioner,
                               final java.util.function.BooleanSupplier dropNullKeys, final boolean write) {
        return repartitionedSource(prefix, topicKeySerde, topicValueSerde, partitions, partitioner, dropNullKeys, write,
            true);
    }

    /** As above; an optimizable repartition is filed for merging under this stream's key changer. */
    private String repartitionedSource(final String prefix, final Serde<K> topicKeySerde, final Serde<V> topicValueSerde,
                                       final int partitions, final StreamPartitioner<? super K, ? super V> partitioner,
                                       final java.util.function.BooleanSupplier dropNullKeys, final boolean write,
                                       final boolean optimizable) {
        final boolean generatedNames = prefix.matches("KSTREAM.*-[0-9]{10}");
        final String topic = prefix.endsWith(REPARTITION_TOPIC_SUFFIX) ? prefix : prefix + REPARTITION_TOPIC_SUFFIX;
        final String sinkName = builder.name(generatedNames ? null : topic + "-sink", SINK);
        final String filterName = builder.name(generatedNames ? null : topic + "-filter", FILTER);
        final String sourceName = builder.name(generatedNames ? null : topic + "-source", SOURCE);
        if (write) {
            final int firstWrite = builder.nextWriteIndex();
            builder.write(g -> g.addInternalTopic(topic, partitions));
            builder.write(g -> g.addProcessor(filterName,
                StatelessProcessors.<K, V>filter((key, value) -> key != null || !dropNullKeys.getAsBoolean(), false), name));
            builder.write(g -> g.addSink(sinkName, topic, null, serializer(topicKeySerde), serializer(topicValueSerde),
                partitioner, filterName));
            builder.write(g -> g.addSource(null, sourceName, new FailOnInvalidTimestamp(), deserializer(topicKeySerde),
                deserializer(topicValueSerde), topic));
            if (optimizable) {
                builder.repartitionCreated(new InternalStreamsBuilder.Repartition(topic, sourceName, name, ancestry,
                    topicKeySerde, topicValueSerde, dropNullKeys, firstWrite, builder.nextWriteIndex()));
            }
        }
        return sourceName;
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
        builder.write(g -> g.addProcessor(nodeName, processorSupplier, parentFor(nodeName)));
        final KStreamImpl<KR, VR> child = builder.processValueFixEnabled()
            ? changed(nodeName, null, null, true, true, true) : child(nodeName, null, null, true);
        connectStores(nodeName, processorSupplier.stores(), stateStoreNames);
        return child;
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
        builder.write(g -> g.addFixedKeyProcessor(nodeName, processorSupplier, parentFor(nodeName)));
        final KStreamImpl<K, VR> child = builder.processValueFixEnabled()
            ? changed(nodeName, keySerde, null, repartitionRequired, false, true)
            : child(nodeName, keySerde, null, repartitionRequired);
        connectStores(nodeName, processorSupplier.stores(), stateStoreNames);
        return child;
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
        return toTable(NamedHolder.NONE, Materialized.with(keySerde, valueSerde));
    }

    @Override
    public KTable<K, V> toTable(final Named named) {
        return toTable(named, Materialized.with(keySerde, valueSerde));
    }

    @Override
    public KTable<K, V> toTable(final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        return toTable(NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, V> toTable(final Named named, final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(named, "named cannot be null");
        Objects.requireNonNull(materialized, "materialized cannot be null");
        final String userName = InternalStreamsBuilder.validated(ConfigAccess.name(named));
        final String nodeName = builder.name(userName, TOTABLE);
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, TOTABLE);
        final Serde<K> keys = spec.keySerde != null ? spec.keySerde : keySerde;
        final Serde<V> values = spec.valueSerde != null ? spec.valueSerde : valueSerde;
        spec.keySerde = keys;
        spec.valueSerde = values;
        final String parent = repartitionRequired
            ? repartitionedSource(nodeName, keys, values, -1, null, true, true)
            : name;
        final TableSource<K, V> source = new TableSource<>(spec);
        builder.write(g -> g.addProcessor(nodeName, source, builder.parent(nodeName, parent)));
        builder.write(g -> {
            if (source.materialized()) {
                g.addStateStore(spec.keyValueStore(builder), nodeName);
            }
        });
        return new KTableImpl<>(builder, nodeName, keys, values, spec.queryableStoreName(), source, spec.isVersioned());
    }

    @Override
    public KGroupedStream<K, V> groupByKey() {
        return groupByKey(Grouped.with(keySerde, valueSerde));
    }

    @Override
    public KGroupedStream<K, V> groupByKey(final Grouped<K, V> grouped) {
        Objects.requireNonNull(grouped, "grouped cannot be null");
        final ConfigAccess.GroupedReader<K, V> reader = new ConfigAccess.GroupedReader<>(grouped);
        InternalStreamsBuilder.validated(reader.name());
        final ConfigAccess.GroupedReader<K, V> withSerdes = new ConfigAccess.GroupedReader<>(Grouped.<K, V>as(reader.name())
            .withKeySerde(reader.keySerde() != null ? reader.keySerde() : keySerde)
            .withValueSerde(reader.valueSerde() != null ? reader.valueSerde() : valueSerde));
        return new KGroupedStreamImpl<>(this, withSerdes, repartitionRequired);
    }

    @Override
    public <KOut> KGroupedStream<KOut, V> groupBy(final KeyValueMapper<? super K, ? super V, KOut> keySelector) {
        return groupBy(keySelector, Grouped.with(null, valueSerde));
    }

    @Override
    public <KOut> KGroupedStream<KOut, V> groupBy(final KeyValueMapper<? super K, ? super V, KOut> keySelector,
                                                   final Grouped<KOut, V> grouped) {
        Objects.requireNonNull(keySelector, "keySelector cannot be null");
        Objects.requireNonNull(grouped, "grouped cannot be null");
        final ConfigAccess.GroupedReader<KOut, V> reader = new ConfigAccess.GroupedReader<>(grouped);
        final String selectName = builder.name(InternalStreamsBuilder.validated(reader.name()), KEY_SELECT);
        final KeyValueMapper<K, V, KeyValue<KOut, V>> pair = (key, value) -> new KeyValue<>(keySelector.apply(key, value), value);
        builder.write(g -> g.addProcessor(selectName, StatelessProcessors.map(pair), name));
        final KStreamImpl<KOut, V> selected = changed(selectName, reader.keySerde(),
            reader.valueSerde() != null ? reader.valueSerde() : valueSerde, true, true, false);
        final ConfigAccess.GroupedReader<KOut, V> withSerdes = new ConfigAccess.GroupedReader<>(Grouped.<KOut, V>as(reader.name())
            .withKeySerde(reader.keySerde())
            .withValueSerde(reader.valueSerde() != null ? reader.valueSerde() : valueSerde));
        return new KGroupedStreamImpl<>(selected, withSerdes, true);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> otherStream,
                                                final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                final JoinWindows windows) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, StreamJoined.with(null, null, null), false, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> otherStream,
                                                final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                final JoinWindows windows) {
        return streamStreamJoin(otherStream, joiner, windows, StreamJoined.with(null, null, null), false, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> otherStream,
                                                final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, streamJoined, false, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> join(final KStream<K, VRight> otherStream,
                                                final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joiner, windows, streamJoined, false, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> otherStream,
                                                    final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                    final JoinWindows windows) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, StreamJoined.with(null, null, null), true, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> otherStream,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                    final JoinWindows windows) {
        return streamStreamJoin(otherStream, joiner, windows, StreamJoined.with(null, null, null), true, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> otherStream,
                                                    final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                    final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, streamJoined, true, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> leftJoin(final KStream<K, VRight> otherStream,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                    final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joiner, windows, streamJoined, true, false);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> otherStream,
                                                     final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                     final JoinWindows windows) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, StreamJoined.with(null, null, null), true, true);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> otherStream,
                                                     final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                     final JoinWindows windows) {
        return streamStreamJoin(otherStream, joiner, windows, StreamJoined.with(null, null, null), true, true);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> otherStream,
                                                     final ValueJoiner<? super V, ? super VRight, ? extends VOut> joiner,
                                                     final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joinerWithKey(joiner), windows, streamJoined, true, true);
    }

    @Override
    public <VRight, VOut> KStream<K, VOut> outerJoin(final KStream<K, VRight> otherStream,
                                                     final ValueJoinerWithKey<? super K, ? super V, ? super VRight, ? extends VOut> joiner,
                                                     final JoinWindows windows, final StreamJoined<K, V, VRight> streamJoined) {
        return streamStreamJoin(otherStream, joiner, windows, streamJoined, true, true);
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> table,
                                                    final ValueJoiner<? super V, ? super TableValue, ? extends VOut> joiner) {
        return join(table, joiner, Joined.with(null, null, null));
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> table,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super TableValue, ? extends VOut> joiner) {
        return join(table, joiner, Joined.with(null, null, null));
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> table,
                                                    final ValueJoiner<? super V, ? super TableValue, ? extends VOut> joiner,
                                                    final Joined<K, V, TableValue> joined) {
        Objects.requireNonNull(joiner, "joiner cannot be null");
        return join(table, (key, value, tableValue) -> joiner.apply(value, tableValue), joined);
    }

    @Override
    public <TableValue, VOut> KStream<K, VOut> join(final KTable<K, TableValue> table,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super TableValue, ? extends VOut> joiner,
                                                    final Joined<K, V, TableValue> joined) {
        return streamTableJoin(table, joiner, joined, false);
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> table,
                                                    final ValueJoiner<? super V, ? super VTable, ? extends VOut> joiner) {
        return leftJoin(table, joiner, Joined.with(null, null, null));
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> table,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super VTable, ? extends VOut> joiner) {
        return leftJoin(table, joiner, Joined.with(null, null, null));
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> table,
                                                    final ValueJoiner<? super V, ? super VTable, ? extends VOut> joiner,
                                                    final Joined<K, V, VTable> joined) {
        Objects.requireNonNull(joiner, "joiner cannot be null");
        return leftJoin(table, (key, value, tableValue) -> joiner.apply(value, tableValue), joined);
    }

    @Override
    public <VTable, VOut> KStream<K, VOut> leftJoin(final KTable<K, VTable> table,
                                                    final ValueJoinerWithKey<? super K, ? super V, ? super VTable, ? extends VOut> joiner,
                                                    final Joined<K, V, VTable> joined) {
        return streamTableJoin(table, joiner, joined, true);
    }

    private <VT, VOut> KStream<K, VOut> streamTableJoin(final KTable<K, VT> table,
                                                         final ValueJoinerWithKey<? super K, ? super V, ? super VT, ? extends VOut> joiner,
                                                         final Joined<K, V, VT> joined, final boolean leftJoin) {
        Objects.requireNonNull(table, "table cannot be null");
        Objects.requireNonNull(joiner, "joiner cannot be null");
        Objects.requireNonNull(joined, "joined cannot be null");
        final ConfigAccess.JoinedReader<K, V, VT> reader = new ConfigAccess.JoinedReader<>(joined);
        final String joinedName = InternalStreamsBuilder.validated(reader.name());
        KStreamImpl<K, V> left = this;
        if (repartitionRequired) {
            left = repartitionForJoin(joinedName != null ? joinedName : name,
                reader.keySerde() != null ? reader.keySerde() : keySerde,
                reader.leftValueSerde() != null ? reader.leftValueSerde() : valueSerde, !leftJoin);
        }
        final String nodeName = builder.name(joinedName, leftJoin ? LEFTJOIN : JOIN);
        final KTableImpl<K, ?, VT> tableImpl = (KTableImpl<K, ?, VT>) table;
        final String bufferName = reader.gracePeriod() == null ? null : nodeName + "-Buffer";
        final io.pspf.runtime.state.GraceBuffer.Builder<K, V> bufferBuilder;
        if (bufferName != null) {
            // as Kafka: checked here when the table's versioning is known (not for an unmaterialized filter or
            // mapValues), and again at build() on every store the join reads (checkGraceStores)
            final boolean versioningUnknown = tableImpl.supplier instanceof TableOperators.Computed
                && ((TableOperators.Computed<?, ?, ?>) tableImpl.supplier).queryableName == null;
            if (!versioningUnknown && !tableImpl.isVersioned()) {
                throw new IllegalArgumentException("KTable must be versioned to use a grace period in a stream table join.");
            }
            bufferBuilder = new io.pspf.runtime.state.GraceBuffer.Builder<>(bufferName,
                reader.keySerde() != null ? reader.keySerde() : left.keySerde,
                reader.leftValueSerde() != null ? reader.leftValueSerde() : left.valueSerde, reader.gracePeriod(), nodeName);
        } else {
            bufferBuilder = null;
        }
        final TableGetter.Supplier<K, VT> view = tableImpl.valueGetterSupplier();
        final StreamTableJoin<K, V, K, VT, VOut> processor = new StreamTableJoin<>(view, (key, value) -> key,
            (key, tableKey, value, tableValue) -> joiner.apply(key, value, tableValue), leftJoin,
            StreamTableJoin.streamTableRule(leftJoin), "Skipping record due to null join key or value.", bufferName);
        final String parent = left.name;
        final String[] stores = view.storeNames();
        builder.write(g -> g.addProcessor(nodeName, processor, builder.parent(nodeName, parent)));
        if (bufferBuilder != null) {
            builder.write(g -> g.addStateStore(bufferBuilder, nodeName));
        }
        builder.write(g -> g.connectProcessorAndStateStores(nodeName, stores));
        if (bufferBuilder != null) {
            final long graceMs = reader.gracePeriod().toMillis();
            builder.write(g -> checkGraceStores(g, stores, graceMs));
        }
        return new KStreamImpl<>(builder, nodeName, left.keySerde, null, false);
    }

    /** As Kafka when it writes the join: every store the table is read from must be versioned and keep the grace. */
    private static void checkGraceStores(final GraphBuilder g, final String[] stores, final long graceMs) {
        for (final String store : stores) {
            final io.pspf.runtime.graph.StoreSpec spec = g.stores().get(store);
            if (spec == null || !(spec.builder() instanceof io.pspf.runtime.state.VersionedKeyValueStoreBuilder)) {
                throw new IllegalArgumentException("KTable must be versioned to use a grace period in a stream table join.");
            }
            if (graceMs > ((io.pspf.runtime.state.VersionedKeyValueStoreBuilder<?, ?>) spec.builder()).historyRetention()) {
                throw new IllegalArgumentException("History retention must be at least grace period.");
            }
        }
    }

    private String joinRepartitionPrefix;
    private KStreamImpl<K, V> joinRepartitioned;
    private boolean[] joinRepartitionKeepsNullKeys;

    /**
     * The stream repartitioned before a join. As in Kafka, a join that is not named (its prefix is this stream's
     * name) reuses the topic this stream was last repartitioned into for a join, even a named join's; a named join
     * always adds a new one. The topic's filter drops null keys unless a left join that accepts them (KIP-962)
     * reads it.
     */
    KStreamImpl<K, V> repartitionForJoin(final String prefix, final Serde<K> keys, final Serde<V> values, final boolean dropNullKeys) {
        final boolean reuse = joinRepartitioned != null && prefix.equals(name);
        final boolean[] keepNullKeys = reuse ? joinRepartitionKeepsNullKeys : new boolean[1];
        keepNullKeys[0] |= !dropNullKeys;
        final String source = repartitionedSource(prefix, keys, values, -1, null, () -> !keepNullKeys[0], !reuse);
        if (!reuse) {
            joinRepartitionPrefix = prefix;
            joinRepartitionKeepsNullKeys = keepNullKeys;
            joinRepartitioned = new KStreamImpl<>(builder, source, keys, values, false);
        }
        return joinRepartitioned;
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joinerWithKey(joiner)), false, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joiner), false, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, joiner, false, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                final Named named) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joinerWithKey(joiner)), false, named);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                final Named named) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joiner), false, named);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> join(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                final Named named) {
        return globalTableJoin(globalTable, keySelector, joiner, false, named);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joinerWithKey(joiner)), true, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joiner), true, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> joiner) {
        return globalTableJoin(globalTable, keySelector, joiner, true, NamedHolder.NONE);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoiner<? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                    final Named named) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joinerWithKey(joiner)), true, named);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoinerWithKey<? super K, ? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                    final Named named) {
        return globalTableJoin(globalTable, keySelector, mappedKeyJoiner(joiner), true, named);
    }

    @Override
    public <GlobalKey, GlobalValue, VOut> KStream<K, VOut> leftJoin(final GlobalKTable<GlobalKey, GlobalValue> globalTable,
                                                                    final KeyValueMapper<? super K, ? super V, ? extends GlobalKey> keySelector,
                                                                    final ValueJoinerWithStreamAndMappedKey<? super K, ? super GlobalKey, ? super V, ? super GlobalValue, ? extends VOut> joiner,
                                                                    final Named named) {
        return globalTableJoin(globalTable, keySelector, joiner, true, named);
    }

    // ------------------------------------------------------------------------------------------------ stream-stream joins

    private static <K, V, VR, VOut> ValueJoinerWithKey<K, V, VR, VOut> joinerWithKey(
        final ValueJoiner<? super V, ? super VR, ? extends VOut> joiner) {
        Objects.requireNonNull(joiner, "joiner cannot be null");
        return (key, value, otherValue) -> joiner.apply(value, otherValue);
    }

    /**
     * A windowed stream-stream join (Kafka's {@code doJoin}): each side that needs it is repartitioned first, into
     * {@code <name>-left-repartition} / {@code <name>-right-repartition} when the join is named, else into a topic
     * named after the side's node; left and outer joins keep null keys there (KIP-962).
     */
    private <VR, VOut> KStream<K, VOut> streamStreamJoin(final KStream<K, VR> otherStream,
                                                         final ValueJoinerWithKey<? super K, ? super V, ? super VR, ? extends VOut> joiner,
                                                         final JoinWindows windows, final StreamJoined<K, V, VR> streamJoined,
                                                         final boolean leftOuter, final boolean rightOuter) {
        Objects.requireNonNull(otherStream, "otherStream cannot be null");
        Objects.requireNonNull(joiner, "joiner cannot be null");
        Objects.requireNonNull(windows, "windows cannot be null");
        Objects.requireNonNull(streamJoined, "streamJoined cannot be null");
        final ConfigAccess.StreamJoinedReader<K, V, VR> joined = new ConfigAccess.StreamJoinedReader<>(streamJoined);
        final String joinName = InternalStreamsBuilder.validated(joined.name());
        final boolean dropNullKeys = !leftOuter && !rightOuter;
        KStreamImpl<K, V> left = this;
        KStreamImpl<K, VR> right = (KStreamImpl<K, VR>) otherStream;
        if (left.repartitionRequired) {
            left = left.repartitionForJoin(joinName != null ? joinName + "-left" : left.name,
                joined.keySerde() != null ? joined.keySerde() : left.keySerde,
                joined.valueSerde() != null ? joined.valueSerde() : left.valueSerde, dropNullKeys);
        }
        if (right.repartitionRequired) {
            right = right.repartitionForJoin(joinName != null ? joinName + "-right" : right.name,
                joined.keySerde() != null ? joined.keySerde() : right.keySerde,
                joined.otherValueSerde() != null ? joined.otherValueSerde() : right.valueSerde, dropNullKeys);
        }
        return StreamStreamJoin.join(builder, left, right, joiner, windows, joined, joinName, leftOuter, rightOuter);
    }

    // ------------------------------------------------------------------------------------------------ global table joins

    private static <K, V, KG, VG, VOut> ValueJoinerWithStreamAndMappedKey<K, KG, V, VG, VOut> mappedKeyJoiner(
        final ValueJoinerWithKey<? super K, ? super V, ? super VG, ? extends VOut> joiner) {
        Objects.requireNonNull(joiner, "joiner cannot be null");
        return (key, mappedKey, value, globalValue) -> joiner.apply(key, value, globalValue);
    }

    /**
     * A join with a global table (Kafka's {@code doGlobalTableJoinWithStreamAndMappedKey}): each stream record is
     * mapped to a key of the global table and looked up there; no repartitioning, and the node is named
     * {@code KSTREAM-LEFTJOIN-} for inner joins too, as in Kafka. A left join keeps records whose mapped key is null.
     */
    private <KG, VG, VOut> KStream<K, VOut> globalTableJoin(final GlobalKTable<KG, VG> globalTable,
                                                            final KeyValueMapper<? super K, ? super V, ? extends KG> keySelector,
                                                            final ValueJoinerWithStreamAndMappedKey<? super K, ? super KG, ? super V, ? super VG, ? extends VOut> joiner,
                                                            final boolean leftJoin, final Named named) {
        Objects.requireNonNull(globalTable, "globalTable cannot be null");
        Objects.requireNonNull(keySelector, "keySelector cannot be null");
        Objects.requireNonNull(joiner, "joiner cannot be null");
        final String nodeName = builder.name(nameOf(named), LEFTJOIN);
        final TableGetter.Supplier<KG, VG> view = ((GlobalTableImpl<KG, VG>) globalTable).valueGetterSupplier();
        final StreamTableJoin.DropRule<K, V> dropRule = (key, value) -> {
            final KG mapped = keySelector.apply(key, value);
            if (leftJoin && mapped == null && value != null) {
                return false;
            }
            return mapped == null || value == null;
        };
        final StreamTableJoin<K, V, KG, VG, VOut> processor = new StreamTableJoin<>(view, keySelector, joiner::apply,
            leftJoin, dropRule, "Skipping record due to null join key or value.");
        builder.write(g -> g.addProcessor(nodeName, processor, parentFor(nodeName)));
        return child(nodeName, keySerde, null, repartitionRequired);
    }
}
