package io.pspf.streams.kstream.internals;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.BiFunction;

import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.ValueJoiner;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.apache.kafka.streams.state.ValueTimestampHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The five processors of a foreign-key join (Kafka's subscription/response protocol):
 * <ol>
 *   <li>{@link Send}, below the left table: turns each left change into subscriptions keyed by foreign key;</li>
 *   <li>{@link Receive}, reading the subscription topic: keeps the subscriptions in the subscription store;</li>
 *   <li>{@link Lookup}, after it: answers a subscription with the right table's current value;</li>
 *   <li>{@link RightChange}, below the right table: answers every subscription to a changed right key;</li>
 *   <li>{@link Resolve}, reading the response topic: joins a response with the left row, unless the left row
 *       changed since the subscription was sent (the value hashes differ), and hands the result to the result
 *       table.</li>
 * </ol>
 */
final class ForeignKeyJoinProcessors {
    private static final Logger LOG = LoggerFactory.getLogger(ForeignKeyJoinProcessors.class);

    private ForeignKeyJoinProcessors() {
    }

    private static <V> V valueOrNull(final ValueAndTimestamp<V> row) {
        return row == null ? null : row.value();
    }

    // ------------------------------------------------------------------------------------------------ send

    /** Below the left table: each change becomes subscriptions sent to the right side, keyed by foreign key. */
    static final class Send<K, V, KO> implements ProcessorSupplier<K, Change<V>, KO, SubscriptionWrapper<K>> {
        private final BiFunction<? super K, ? super V, ? extends KO> extractor;
        private final ForeignKeyPseudoTopics topics;
        private final Serializer<KO> foreignKeySerializer;
        private final Serializer<V> valueSerializer;
        private final boolean leftJoin;
        private final boolean versioned;

        Send(final BiFunction<? super K, ? super V, ? extends KO> extractor, final ForeignKeyPseudoTopics topics,
             final Serializer<KO> foreignKeySerializer, final Serializer<V> valueSerializer, final boolean leftJoin,
             final boolean versioned) {
            this.extractor = extractor;
            this.topics = topics;
            this.foreignKeySerializer = foreignKeySerializer;
            this.valueSerializer = valueSerializer;
            this.leftJoin = leftJoin;
            this.versioned = versioned;
        }

        @Override
        public Processor<K, Change<V>, KO, SubscriptionWrapper<K>> get() {
            return new DslProcessor<>() {
                private Serializer<KO> foreignKeys;
                private Serializer<V> values;
                private String foreignKeyTopic;
                private String valueTopic;
                private long[] hash;
                private boolean hashed;

                @SuppressWarnings("unchecked")
                @Override
                public void init(final ProcessorContext<KO, SubscriptionWrapper<K>> context) {
                    super.init(context);
                    topics.applicationId(context.applicationId());
                    foreignKeyTopic = topics.foreignKey();
                    valueTopic = topics.valueHash();
                    foreignKeys = foreignKeySerializer != null ? foreignKeySerializer
                        : (Serializer<KO>) context.keySerde().serializer();
                    values = valueSerializer != null ? valueSerializer : (Serializer<V>) context.valueSerde().serializer();
                }

                @Override
                public void process(final Record<K, Change<V>> record) {
                    hashed = false;
                    hash = null;
                    if (versioned && !record.value().isLatest) {
                        LOG.info("Skipping out-of-order record from versioned table while performing table-table join.");
                        dropped();
                        return;
                    }
                    if (leftJoin) {
                        leftJoinInstructions(record);
                    } else {
                        innerJoinInstructions(record);
                    }
                }

                private void leftJoinInstructions(final Record<K, Change<V>> record) {
                    final V oldValue = record.value().oldValue;
                    final V newValue = record.value().newValue;
                    if (oldValue == null && newValue == null) {
                        return;
                    }
                    final KO oldKey = oldValue == null ? null : extractor.apply(record.key(), oldValue);
                    final KO newKey = newValue == null ? null : extractor.apply(record.key(), newValue);
                    if (oldKey != null && changed(newKey, oldKey, record.headers())) {
                        send(record, oldKey, SubscriptionWrapper.Instruction.DELETE_KEY_NO_PROPAGATE);
                    }
                    send(record, newKey, SubscriptionWrapper.Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
                }

                private void innerJoinInstructions(final Record<K, Change<V>> record) {
                    final V oldValue = record.value().oldValue;
                    final V newValue = record.value().newValue;
                    final KO oldKey = oldValue == null ? null : extractor.apply(record.key(), oldValue);
                    final boolean hadKey = oldKey != null;
                    if (newValue != null) {
                        final KO newKey = extractor.apply(record.key(), newValue);
                        if (newKey == null) {
                            LOG.warn("Skipping record due to null foreign key. {}", where());
                            dropped();
                            if (hadKey) {
                                send(record, oldKey, SubscriptionWrapper.Instruction.DELETE_KEY_AND_PROPAGATE);
                            }
                        } else if (hadKey && changed(newKey, oldKey, record.headers())) {
                            send(record, oldKey, SubscriptionWrapper.Instruction.DELETE_KEY_NO_PROPAGATE);
                            send(record, newKey, SubscriptionWrapper.Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE);
                        } else {
                            send(record, newKey, SubscriptionWrapper.Instruction.PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE);
                        }
                    } else if (hadKey) {
                        send(record, oldKey, SubscriptionWrapper.Instruction.DELETE_KEY_AND_PROPAGATE);
                    }
                }

                /** Whether the foreign key changed, compared as Kafka does: by the serialized bytes. */
                private boolean changed(final KO newKey, final KO oldKey, final Headers headers) {
                    return !Arrays.equals(foreignKeys.serialize(foreignKeyTopic, headers, newKey),
                        foreignKeys.serialize(foreignKeyTopic, headers, oldKey));
                }

                private void send(final Record<K, Change<V>> record, final KO foreignKey,
                                  final SubscriptionWrapper.Instruction instruction) {
                    final SubscriptionWrapper<K> subscription = new SubscriptionWrapper<>(hash(record), instruction,
                        record.key(), context.recordMetadata().get().partition());
                    context.forward(record.withKey(foreignKey).withValue(subscription));
                }

                private long[] hash(final Record<K, Change<V>> record) {
                    if (!hashed) {
                        final V newValue = record.value().newValue;
                        hash = newValue == null ? null
                            : Murmur3.hash128(values.serialize(valueTopic, record.headers(), newValue));
                        hashed = true;
                    }
                    return hash;
                }
            };
        }
    }

    // ------------------------------------------------------------------------------------------------ receive

    /** Reads the subscription topic: records each subscription in the store and passes it on with the one it replaced. */
    static final class Receive<KO, K>
        implements ProcessorSupplier<KO, SubscriptionWrapper<K>, ForeignKeyCombinedKeys.Key<KO, K>,
        Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>> {
        private final String storeName;
        private final ForeignKeyCombinedKeys<KO, K> keys;
        private final SubscriptionWrapperSerde<K> serde;

        Receive(final String storeName, final ForeignKeyCombinedKeys<KO, K> keys, final SubscriptionWrapperSerde<K> serde) {
            this.storeName = storeName;
            this.keys = keys;
            this.serde = serde;
        }

        @Override
        public Processor<KO, SubscriptionWrapper<K>, ForeignKeyCombinedKeys.Key<KO, K>,
            Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>> get() {
            return new DslProcessor<>() {
                private TimestampedKeyValueStoreWithHeaders<Bytes, SubscriptionWrapper<K>> store;

                @Override
                public void init(final ProcessorContext<ForeignKeyCombinedKeys.Key<KO, K>,
                    Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>> context) {
                    super.init(context);
                    store = context.getStateStore(storeName);
                    keys.init(context);
                    serde.setIfUnset(context::keySerde, context::valueSerde);
                }

                @Override
                public void process(final Record<KO, SubscriptionWrapper<K>> record) {
                    final KO foreignKey = record.key();
                    final SubscriptionWrapper<K> subscription = record.value();
                    if (foreignKey == null
                        && subscription.instruction() != SubscriptionWrapper.Instruction.PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE) {
                        LOG.warn("Skipping record due to null foreign key. {}", where());
                        dropped();
                        return;
                    }
                    if (subscription.version() > SubscriptionWrapper.CURRENT_VERSION) {
                        throw new UnsupportedVersionException("SubscriptionWrapper is of an incompatible version.");
                    }
                    final ValueTimestampHeaders<SubscriptionWrapper<K>> stored =
                        ValueTimestampHeaders.make(subscription, record.timestamp(), record.headers());
                    final Change<ValueTimestampHeaders<SubscriptionWrapper<K>>> change;
                    if (foreignKey == null) {
                        change = new Change<>(stored, null);
                    } else {
                        final Bytes key = keys.toBytes(foreignKey, subscription.primaryKey(), record.headers());
                        final ValueTimestampHeaders<SubscriptionWrapper<K>> previous = store.get(key);
                        if (subscription.instruction() == SubscriptionWrapper.Instruction.DELETE_KEY_AND_PROPAGATE
                            || subscription.instruction() == SubscriptionWrapper.Instruction.DELETE_KEY_NO_PROPAGATE) {
                            store.delete(key);
                        } else {
                            store.put(key, stored);
                        }
                        change = new Change<>(stored, previous);
                    }
                    context.forward(record.withKey(new ForeignKeyCombinedKeys.Key<>(foreignKey, subscription.primaryKey()))
                        .withValue(change).withTimestamp(record.timestamp()));
                }
            };
        }
    }

    // ------------------------------------------------------------------------------------------------ lookup

    /** After {@link Receive}: answers a subscription with the right table's current value, as its instruction says. */
    static final class Lookup<KO, K, VO>
        implements ProcessorSupplier<ForeignKeyCombinedKeys.Key<KO, K>, Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>,
        K, SubscriptionResponseWrapper<VO>> {
        private final TableGetter.Supplier<KO, VO> rightView;

        Lookup(final TableGetter.Supplier<KO, VO> rightView) {
            this.rightView = rightView;
        }

        @Override
        public Processor<ForeignKeyCombinedKeys.Key<KO, K>, Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>, K,
            SubscriptionResponseWrapper<VO>> get() {
            return new DslProcessor<>() {
                private TableGetter<KO, VO> right;

                @Override
                public void init(final ProcessorContext<K, SubscriptionResponseWrapper<VO>> context) {
                    super.init(context);
                    right = rightView.get();
                    right.init(context);
                }

                @Override
                public void process(final Record<ForeignKeyCombinedKeys.Key<KO, K>,
                    Change<ValueTimestampHeaders<SubscriptionWrapper<K>>>> record) {
                    Objects.requireNonNull(record.key(), "This processor should never see a null key.");
                    Objects.requireNonNull(record.value(), "This processor should never see a null value.");
                    final ValueTimestampHeaders<SubscriptionWrapper<K>> stored = record.value().newValue;
                    Objects.requireNonNull(stored, "This processor should never see a null newValue.");
                    final SubscriptionWrapper<K> subscription = stored.value();
                    if (subscription.version() > SubscriptionWrapper.CURRENT_VERSION) {
                        throw new UnsupportedVersionException("SubscriptionWrapper is of an incompatible version.");
                    }
                    final KO foreignKey = record.key().foreignKey;
                    final ValueAndTimestamp<VO> row = foreignKey == null ? null : right.get(foreignKey);
                    final long timestamp = row == null ? stored.timestamp() : Math.max(stored.timestamp(), row.timestamp());
                    final K primaryKey = record.key().primaryKey;
                    switch (subscription.instruction()) {
                        case DELETE_KEY_AND_PROPAGATE:
                            respond(record, primaryKey, subscription, null, timestamp);
                            break;
                        case PROPAGATE_NULL_IF_NO_FK_VAL_AVAILABLE:
                            respond(record, primaryKey, subscription, valueOrNull(row), timestamp);
                            break;
                        case PROPAGATE_ONLY_IF_FK_VAL_AVAILABLE:
                            if (row != null) {
                                respond(record, primaryKey, subscription, row.value(), timestamp);
                            }
                            break;
                        case DELETE_KEY_NO_PROPAGATE:
                            break;
                        default:
                            throw new IllegalStateException("Unhandled instruction: " + subscription.instruction());
                    }
                }

                private void respond(final Record<?, ?> record, final K primaryKey, final SubscriptionWrapper<K> subscription,
                                     final VO value, final long timestamp) {
                    context.forward(record.withKey(primaryKey)
                        .withValue(new SubscriptionResponseWrapper<>(subscription.hash(), value,
                            subscription.primaryPartition()))
                        .withTimestamp(timestamp));
                }
            };
        }
    }

    // ------------------------------------------------------------------------------------------------ right change

    /** Below the right table: a change of a right row is sent to every left row subscribed to its key. */
    static final class RightChange<KO, VO, K> implements ProcessorSupplier<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> {
        private final String storeName;
        private final ForeignKeyCombinedKeys<KO, K> keys;
        private final SubscriptionWrapperSerde<K> serde;
        private final boolean versioned;

        RightChange(final String storeName, final ForeignKeyCombinedKeys<KO, K> keys, final SubscriptionWrapperSerde<K> serde,
                    final boolean versioned) {
            this.storeName = storeName;
            this.keys = keys;
            this.serde = serde;
            this.versioned = versioned;
        }

        @Override
        public Processor<KO, Change<VO>, K, SubscriptionResponseWrapper<VO>> get() {
            return new DslProcessor<>() {
                private TimestampedKeyValueStoreWithHeaders<Bytes, SubscriptionWrapper<K>> store;

                @Override
                public void init(final ProcessorContext<K, SubscriptionResponseWrapper<VO>> context) {
                    super.init(context);
                    store = context.getStateStore(storeName);
                    keys.init(context);
                    serde.setIfUnset(context::keySerde, context::valueSerde);
                }

                @Override
                public void process(final Record<KO, Change<VO>> record) {
                    if (record.key() == null) {
                        LOG.warn("Skipping record due to null key. {}", where());
                        dropped();
                        return;
                    }
                    if (versioned && !record.value().isLatest) {
                        LOG.info("Skipping out-of-order record from versioned table while performing table-table join.");
                        dropped();
                        return;
                    }
                    final Bytes prefix = keys.prefix(record.key(), record.headers());
                    try (KeyValueIterator<Bytes, ValueTimestampHeaders<SubscriptionWrapper<K>>> subscriptions =
                             store.range(prefix, ForeignKeyCombinedKeys.increment(prefix))) {
                        while (subscriptions.hasNext()) {
                            final KeyValue<Bytes, ValueTimestampHeaders<SubscriptionWrapper<K>>> next = subscriptions.next();
                            if (!startsWith(next.key.get(), prefix.get())) {
                                continue;
                            }
                            final ForeignKeyCombinedKeys.Key<KO, K> key = keys.fromBytes(next.key, record.headers());
                            final SubscriptionWrapper<K> subscription = next.value.value();
                            context.forward(record.withKey(key.primaryKey).withValue(new SubscriptionResponseWrapper<>(
                                subscription.hash(), record.value().newValue, subscription.primaryPartition())));
                        }
                    }
                }
            };
        }

        /** Kafka's comparison: the shorter of the two arrays is compared with the other's start. */
        private static boolean startsWith(final byte[] key, final byte[] prefix) {
            final int length = Math.min(key.length, prefix.length);
            return Arrays.equals(key, 0, length, prefix, 0, length);
        }
    }

    // ------------------------------------------------------------------------------------------------ resolve

    /** Reads the response topic: joins a response with the left row if the row is still the one that subscribed. */
    static final class Resolve<K, V, VO, VR> implements ProcessorSupplier<K, SubscriptionResponseWrapper<VO>, K, VR> {
        private final TableGetter.Supplier<K, V> leftView;
        private final Serializer<V> valueSerializer;
        private final ForeignKeyPseudoTopics topics;
        private final ValueJoiner<? super V, ? super VO, ? extends VR> joiner;
        private final boolean leftJoin;

        Resolve(final TableGetter.Supplier<K, V> leftView, final Serializer<V> valueSerializer,
                final ForeignKeyPseudoTopics topics, final ValueJoiner<? super V, ? super VO, ? extends VR> joiner,
                final boolean leftJoin) {
            this.leftView = leftView;
            this.valueSerializer = valueSerializer;
            this.topics = topics;
            this.joiner = joiner;
            this.leftJoin = leftJoin;
        }

        @Override
        public Processor<K, SubscriptionResponseWrapper<VO>, K, VR> get() {
            return new DslProcessor<>() {
                private TableGetter<K, V> left;
                private Serializer<V> values;
                private String valueTopic;

                @SuppressWarnings("unchecked")
                @Override
                public void init(final ProcessorContext<K, VR> context) {
                    super.init(context);
                    topics.applicationId(context.applicationId());
                    valueTopic = topics.valueHash();
                    left = leftView.get();
                    left.init(context);
                    values = valueSerializer != null ? valueSerializer : (Serializer<V>) context.valueSerde().serializer();
                }

                @Override
                public void process(final Record<K, SubscriptionResponseWrapper<VO>> record) {
                    final SubscriptionResponseWrapper<VO> response = record.value();
                    if (response.version() != SubscriptionResponseWrapper.CURRENT_VERSION) {
                        throw new UnsupportedVersionException("SubscriptionResponseWrapper is of an incompatible version.");
                    }
                    final ValueAndTimestamp<V> row = left.get(record.key());
                    final long[] currentHash = row == null ? null
                        : Murmur3.hash128(values.serialize(valueTopic, record.headers(), row.value()));
                    final long[] sentHash = response.originalValueHash();
                    if (!Arrays.equals(sentHash, currentHash)) {
                        LOG.trace("Dropping FK-join response due to hash mismatch. Expected {}. Actual {}", sentHash,
                            currentHash);
                        dropped();
                        return;
                    }
                    final VR result;
                    if (response.foreignValue() == null && (!leftJoin || row == null)) {
                        result = null;
                    } else {
                        result = joiner.apply(valueOrNull(row), response.foreignValue());
                    }
                    context.forward(record.withValue(result));
                }
            };
        }
    }
}
