package io.pspf.streams.kstream.internals;

import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Aggregator;
import org.apache.kafka.streams.kstream.Initializer;
import org.apache.kafka.streams.kstream.KGroupedTable;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Reducer;
import org.apache.kafka.streams.processor.FailOnInvalidTimestamp;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * PSPF's {@link KGroupedTable}: a table re-keyed for aggregation. Every aggregation goes through a repartition
 * topic of changes (the {@code Grouped} name's, shared by all aggregations of this grouping, or else one named
 * after the aggregation's store); the aggregation subtracts each change's old value and adds its new one.
 */
public final class KGroupedTableImpl<K, V> implements KGroupedTable<K, V> {
    static final String AGGREGATE = "KTABLE-AGGREGATE-";
    static final String REDUCE = "KTABLE-REDUCE-";

    private final InternalStreamsBuilder builder;
    private final String selectName;
    private final Serde<K> keySerde;
    private final Serde<V> valueSerde;
    private final String groupedName;
    private String sharedSource;

    KGroupedTableImpl(final InternalStreamsBuilder builder, final String selectName, final ConfigAccess.GroupedReader<K, V> grouped) {
        this.builder = builder;
        this.selectName = selectName;
        this.keySerde = grouped.keySerde();
        this.valueSerde = grouped.valueSerde();
        this.groupedName = grouped.name();
    }

    @Override
    public KTable<K, Long> count() {
        return count(NamedHolder.NONE);
    }

    @Override
    public KTable<K, Long> count(final Named named) {
        return count(named, Materialized.with(keySerde, Serdes.Long()));
    }

    @Override
    public KTable<K, Long> count(final Materialized<K, Long, KeyValueStore<Bytes, byte[]>> materialized) {
        return count(NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, Long> count(final Named named, final Materialized<K, Long, KeyValueStore<Bytes, byte[]>> materialized) {
        // no checks of its own in Kafka: a null fails in Materialized's or Named's copy constructor
        final MaterializedSpec<K, Long> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        new ConfigAccess.NamedReader(named);
        spec.withSerdesIfMissing(keySerde, Serdes.Long());
        return doAggregate(new Aggregations.TableAggregate<>(spec.storeName(), () -> 0L,
            (key, value, count) -> count + 1, (key, value, count) -> count - 1), named, AGGREGATE, spec);
    }

    @Override
    public KTable<K, V> reduce(final Reducer<V> adder, final Reducer<V> subtractor) {
        return reduce(adder, subtractor, Materialized.with(keySerde, valueSerde));
    }

    @Override
    public KTable<K, V> reduce(final Reducer<V> adder, final Reducer<V> subtractor,
                               final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        return reduce(adder, subtractor, NamedHolder.NONE, materialized);
    }

    @Override
    public KTable<K, V> reduce(final Reducer<V> adder, final Reducer<V> subtractor, final Named named,
                               final Materialized<K, V, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(adder, "adder can't be null");
        Objects.requireNonNull(subtractor, "subtractor can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, V> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        spec.withSerdesIfMissing(keySerde, valueSerde);
        return doAggregate(new Aggregations.TableReduce<>(spec.storeName(), adder, subtractor), named, REDUCE, spec);
    }

    @Override
    public <VR> KTable<K, VR> aggregate(final Initializer<VR> initializer, final Aggregator<? super K, ? super V, VR> adder,
                                        final Aggregator<? super K, ? super V, VR> subtractor) {
        return aggregate(initializer, adder, subtractor, Materialized.with(keySerde, null));
    }

    @Override
    public <VR> KTable<K, VR> aggregate(final Initializer<VR> initializer, final Aggregator<? super K, ? super V, VR> adder,
                                        final Aggregator<? super K, ? super V, VR> subtractor, final Named named) {
        return aggregate(initializer, adder, subtractor, named, Materialized.with(keySerde, null));
    }

    @Override
    public <VR> KTable<K, VR> aggregate(final Initializer<VR> initializer, final Aggregator<? super K, ? super V, VR> adder,
                                        final Aggregator<? super K, ? super V, VR> subtractor,
                                        final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        return aggregate(initializer, adder, subtractor, NamedHolder.NONE, materialized);
    }

    @Override
    public <VR> KTable<K, VR> aggregate(final Initializer<VR> initializer, final Aggregator<? super K, ? super V, VR> adder,
                                        final Aggregator<? super K, ? super V, VR> subtractor, final Named named,
                                        final Materialized<K, VR, KeyValueStore<Bytes, byte[]>> materialized) {
        Objects.requireNonNull(initializer, "initializer can't be null");
        Objects.requireNonNull(adder, "adder can't be null");
        Objects.requireNonNull(subtractor, "subtractor can't be null");
        Objects.requireNonNull(named, "named can't be null");
        Objects.requireNonNull(materialized, "materialized can't be null");
        final MaterializedSpec<K, VR> spec = new MaterializedSpec<>(materialized, builder, AGGREGATE);
        spec.withSerdesIfMissing(keySerde, null);
        return doAggregate(new Aggregations.TableAggregate<>(spec.storeName(), initializer, adder, subtractor), named,
            AGGREGATE, spec);
    }

    private <VR> KTable<K, VR> doAggregate(final Aggregations.Supplier<K, Change<V>, K, VR> supplier, final Named named,
                                           final String prefix, final MaterializedSpec<K, VR> spec) {
        final String userName = InternalStreamsBuilder.validated(ConfigAccess.name(named));
        final String sinkName = builder.name(userName == null ? null : userName + "-sink", KStreamImpl.SINK);
        final String sourceName = builder.name(userName == null ? null : userName + "-source", KStreamImpl.SOURCE);
        final String nodeName = builder.name(userName, prefix);
        final String topic = (groupedName != null ? groupedName : spec.storeName()) + KStreamImpl.REPARTITION_TOPIC_SUFFIX;
        final String parent;
        if (groupedName != null && sharedSource != null) {
            parent = sharedSource;
        } else {
            parent = sourceName;
            if (groupedName != null) {
                sharedSource = sourceName;
            }
            final String select = selectName;
            builder.write(g -> g.addInternalTopic(topic, -1));
            builder.write(g -> g.addSink(sinkName, topic, null, KStreamImpl.serializer(keySerde),
                ChangeSerde.serializer(valueSerde), null, select));
            builder.write(g -> g.addSource(null, sourceName, new FailOnInvalidTimestamp(), KStreamImpl.deserializer(keySerde),
                ChangeSerde.deserializer(valueSerde), topic));
        }
        KGroupedStreamImpl.addAggregation(builder, nodeName, supplier, parent, spec.keyValueStore(builder));
        return new KTableImpl<>(builder, nodeName, spec.keySerde, spec.valueSerde, spec.queryableStoreName(), supplier,
            spec.isVersioned());
    }
}
