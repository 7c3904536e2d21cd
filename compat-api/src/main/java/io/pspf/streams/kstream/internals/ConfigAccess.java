package io.pspf.streams.kstream.internals;

import java.io.OutputStream;
import java.util.function.Consumer;
import java.util.function.Function;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.AutoOffsetReset;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Printed;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Readers for Kafka's DSL config objects. Their settings live in protected fields; each reader is a subclass
 * made with the protected copy constructor, the way Kafka's own {@code *Internal} classes read them.
 */
public final class ConfigAccess {
    private ConfigAccess() {
    }

    /** Reads a {@link Named}. */
    public static final class NamedReader extends Named {
        public NamedReader(final Named named) {
            super(named);
        }

        public String name() {
            return name;
        }
    }

    public static String name(final Named named) {
        return named == null ? null : new NamedReader(named).name();
    }

    /** Reads a {@link Consumed}. */
    public static final class ConsumedReader<K, V> extends Consumed<K, V> {
        public ConsumedReader(final Consumed<K, V> consumed) {
            super(consumed);
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V> valueSerde() {
            return valueSerde;
        }

        public TimestampExtractor timestampExtractor() {
            return timestampExtractor;
        }

        @SuppressWarnings("deprecation")
        public AutoOffsetReset offsetReset() {
            if (resetPolicy != null) {
                return resetPolicy;
            }
            if (legacyResetPolicy == null) {
                return null;
            }
            return legacyResetPolicy == org.apache.kafka.streams.Topology.AutoOffsetReset.EARLIEST
                ? AutoOffsetReset.earliest() : AutoOffsetReset.latest();
        }

        public String name() {
            return processorName;
        }
    }

    /** Reads a {@link Produced}. */
    public static final class ProducedReader<K, V> extends Produced<K, V> {
        public ProducedReader(final Produced<K, V> produced) {
            super(produced);
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V> valueSerde() {
            return valueSerde;
        }

        public StreamPartitioner<? super K, ? super V> partitioner() {
            return partitioner;
        }

        public String name() {
            return processorName;
        }
    }

    /** Reads a {@link Printed}. */
    public static final class PrintedReader<K, V> extends Printed<K, V> {
        public PrintedReader(final Printed<K, V> printed) {
            super(printed);
        }

        public OutputStream outputStream() {
            return outputStream;
        }

        public String label() {
            return label;
        }

        public KeyValueMapper<? super K, ? super V, String> mapper() {
            return mapper;
        }

        public String name() {
            return processorName;
        }
    }

    /** Reads a {@link Repartitioned}. */
    public static final class RepartitionedReader<K, V> extends Repartitioned<K, V> {
        public RepartitionedReader(final Repartitioned<K, V> repartitioned) {
            super(repartitioned);
        }

        public String name() {
            return name;
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V> valueSerde() {
            return valueSerde;
        }

        public Integer numberOfPartitions() {
            return numberOfPartitions;
        }

        public StreamPartitioner<K, V> partitioner() {
            return partitioner;
        }
    }

    /** A branch with neither a name nor a chain: what {@code branch(predicate)} means. */
    public static <K, V> Branched<K, V> plainBranch() {
        return new BranchedReader<>();
    }

    /** Reads a {@link Branched}. */
    public static final class BranchedReader<K, V> extends Branched<K, V> {
        public BranchedReader(final Branched<K, V> branched) {
            super(branched);
        }

        private BranchedReader() {
            super(null, null, null);
        }

        public String name() {
            return name;
        }

        public Function<? super KStream<K, V>, ? extends KStream<K, V>> chainFunction() {
            return chainFunction;
        }

        public Consumer<? super KStream<K, V>> chainConsumer() {
            return chainConsumer;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.Materialized}. */
    public static final class MaterializedReader<K, V, S extends org.apache.kafka.streams.processor.StateStore>
        extends org.apache.kafka.streams.kstream.Materialized<K, V, S> {
        public MaterializedReader(final org.apache.kafka.streams.kstream.Materialized<K, V, S> materialized) {
            super(materialized);
        }

        public String storeName() {
            return storeSupplier != null ? storeSupplier.name() : storeName;
        }

        public org.apache.kafka.streams.state.StoreSupplier<S> storeSupplier() {
            return storeSupplier;
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V> valueSerde() {
            return valueSerde;
        }

        public boolean loggingEnabled() {
            return loggingEnabled;
        }

        public boolean cachingEnabled() {
            return cachingEnabled;
        }

        public java.util.Map<String, String> topicConfig() {
            return topicConfig;
        }

        public java.time.Duration retention() {
            return retention;
        }

        public org.apache.kafka.streams.state.DslStoreSuppliers dslStoreSuppliers() {
            return dslStoreSuppliers;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.Grouped}. */
    public static final class GroupedReader<K, V> extends org.apache.kafka.streams.kstream.Grouped<K, V> {
        public GroupedReader(final org.apache.kafka.streams.kstream.Grouped<K, V> grouped) {
            super(grouped);
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V> valueSerde() {
            return valueSerde;
        }

        public String name() {
            return name;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.Joined}. */
    public static final class JoinedReader<K, VL, VR> extends org.apache.kafka.streams.kstream.Joined<K, VL, VR> {
        public JoinedReader(final org.apache.kafka.streams.kstream.Joined<K, VL, VR> joined) {
            super(joined);
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<VL> leftValueSerde() {
            return leftValueSerde;
        }

        public Serde<VR> rightValueSerde() {
            return rightValueSerde;
        }

        public String name() {
            return name;
        }

        public java.time.Duration gracePeriod() {
            return gracePeriod;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.StreamJoined}. */
    public static final class StreamJoinedReader<K, V1, V2> extends org.apache.kafka.streams.kstream.StreamJoined<K, V1, V2> {
        public StreamJoinedReader(final org.apache.kafka.streams.kstream.StreamJoined<K, V1, V2> joined) {
            super(joined);
        }

        public Serde<K> keySerde() {
            return keySerde;
        }

        public Serde<V1> valueSerde() {
            return valueSerde;
        }

        public Serde<V2> otherValueSerde() {
            return otherValueSerde;
        }

        public org.apache.kafka.streams.state.WindowBytesStoreSupplier thisStoreSupplier() {
            return thisStoreSupplier;
        }

        public org.apache.kafka.streams.state.WindowBytesStoreSupplier otherStoreSupplier() {
            return otherStoreSupplier;
        }

        public String name() {
            return name;
        }

        public String storeName() {
            return storeName;
        }

        public boolean loggingEnabled() {
            return loggingEnabled;
        }

        public java.util.Map<String, String> topicConfig() {
            return topicConfig;
        }

        public org.apache.kafka.streams.state.DslStoreSuppliers dslStoreSuppliers() {
            return dslStoreSuppliers;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.TableJoined}. */
    public static final class TableJoinedReader<K, KO> extends org.apache.kafka.streams.kstream.TableJoined<K, KO> {
        public TableJoinedReader(final org.apache.kafka.streams.kstream.TableJoined<K, KO> joined) {
            super(joined);
        }

        public StreamPartitioner<K, Void> partitioner() {
            return partitioner;
        }

        public StreamPartitioner<KO, Void> otherPartitioner() {
            return otherPartitioner;
        }

        public String name() {
            return name;
        }
    }

    /** Reads a {@link org.apache.kafka.streams.kstream.JoinWindows}: whether it asks for the spurious-result fix. */
    public static final class JoinWindowsReader extends org.apache.kafka.streams.kstream.JoinWindows {
        public JoinWindowsReader(final org.apache.kafka.streams.kstream.JoinWindows windows) {
            super(windows);
        }

        /** False only for the deprecated {@code JoinWindows.of}, whose outer joins emit non-joined records at once. */
        public boolean spuriousResultFixEnabled() {
            return enableSpuriousResultFix;
        }
    }
}
