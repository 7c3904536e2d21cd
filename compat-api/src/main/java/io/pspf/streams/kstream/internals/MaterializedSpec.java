package io.pspf.streams.kstream.internals;

import java.time.Duration;
import java.util.Map;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.DslStoreFormat;
import org.apache.kafka.streams.kstream.EmitStrategy;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.StoreSupplier;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

import io.pspf.streams.state.Stores;

/**
 * A {@link Materialized} as the DSL operators use it (Kafka's {@code MaterializedInternal}): the store name — the
 * user's, or one generated from a prefix, which takes an index of the builder's counter when this is made — and
 * whether the table is queryable (only when the user named the store or gave a supplier). Serdes missing here
 * are filled in by the operator from what the stream knows.
 */
final class MaterializedSpec<K, V> {
    private final ConfigAccess.MaterializedReader<K, V, ? extends StateStore> reader;
    private final String storeName;
    private final String queryableName;
    Serde<K> keySerde;
    Serde<V> valueSerde;

    @SuppressWarnings({"unchecked", "rawtypes"})
    MaterializedSpec(final Materialized<K, V, ?> materialized, final InternalStreamsBuilder builder, final String prefix) {
        this.reader = new ConfigAccess.MaterializedReader(materialized);
        final String given = reader.storeName();
        if (given != null) {
            InternalStreamsBuilder.validated(given);
        }
        this.queryableName = given;
        this.storeName = given != null ? given : (builder != null && prefix != null ? builder.newStoreName(prefix) : null);
        this.keySerde = reader.keySerde();
        this.valueSerde = reader.valueSerde();
    }

    /** A spec for an operator that always has a store under a generated name (suppress, joins). */
    static <K, V> MaterializedSpec<K, V> unnamed(final InternalStreamsBuilder builder, final String prefix) {
        return new MaterializedSpec<>(Materialized.with(null, null), builder, prefix);
    }

    /**
     * Fills in the serdes the user left out with what the stream knows (either argument may be null: nothing to
     * fill in).
     *
     * @return this spec
     */
    MaterializedSpec<K, V> withSerdesIfMissing(final Serde<K> key, final Serde<V> value) {
        if (keySerde == null) {
            keySerde = key;
        }
        if (valueSerde == null) {
            valueSerde = value;
        }
        return this;
    }

    String storeName() {
        return storeName;
    }

    /** The store name when the user gave one (so the table is queryable and materialized); else null. */
    String queryableStoreName() {
        return queryableName;
    }

    StoreSupplier<?> storeSupplier() {
        return reader.storeSupplier();
    }

    boolean isVersioned() {
        return reader.storeSupplier() instanceof VersionedBytesStoreSupplier;
    }

    Duration retention() {
        return reader.retention();
    }

    boolean loggingEnabled() {
        return reader.loggingEnabled();
    }

    Map<String, String> topicConfig() {
        return reader.topicConfig();
    }

    boolean cachingEnabled() {
        return reader.cachingEnabled();
    }

    private DslStoreSuppliers suppliers(final InternalStreamsBuilder builder) {
        if (reader.dslStoreSuppliers() != null) {
            return reader.dslStoreSuppliers();
        }
        return builder.dslStoreSuppliers();
    }

    private <T extends StoreBuilder<?>> T logged(final T storeBuilder) {
        if (reader.loggingEnabled()) {
            storeBuilder.withLoggingEnabled(reader.topicConfig());
        } else {
            storeBuilder.withLoggingDisabled();
        }
        return storeBuilder;
    }

    /** The timestamped (or, with a versioned supplier, versioned) key-value store of a table. */
    StoreBuilder<?> keyValueStore(final InternalStreamsBuilder builder) {
        final StoreSupplier<?> given = reader.storeSupplier();
        if (given instanceof VersionedBytesStoreSupplier) {
            return logged(Stores.versionedKeyValueStoreBuilder((VersionedBytesStoreSupplier) given, keySerde, valueSerde));
        }
        final KeyValueBytesStoreSupplier supplier = given != null ? (KeyValueBytesStoreSupplier) given
            : suppliers(builder).keyValueStore(new DslKeyValueParams(storeName, true));
        final StoreBuilder<?> storeBuilder = logged(Stores.timestampedKeyValueStoreBuilder(supplier, keySerde, valueSerde));
        if (reader.cachingEnabled()) {
            storeBuilder.withCachingEnabled();
        } else {
            storeBuilder.withCachingDisabled();
        }
        return storeBuilder;
    }

    /**
     * The timestamped window store of a windowed aggregation. Time windows are cached whenever caching is on (an
     * emit-on-close aggregation forwards nothing from the cache); sliding windows are not cached when they emit on
     * close.
     */
    StoreBuilder<?> windowStore(final InternalStreamsBuilder builder, final long retentionMs, final long windowSizeMs,
                                final EmitStrategy emitStrategy, final boolean slidingWindows) {
        final StoreSupplier<?> given = reader.storeSupplier();
        final WindowBytesStoreSupplier supplier = given != null ? (WindowBytesStoreSupplier) given
            : suppliers(builder).windowStore(new DslWindowParams(storeName, Duration.ofMillis(retentionMs),
                Duration.ofMillis(windowSizeMs), false, emitStrategy, slidingWindows, DslStoreFormat.TIMESTAMPED));
        final StoreBuilder<?> storeBuilder = logged(Stores.timestampedWindowStoreBuilder(supplier, keySerde, valueSerde));
        if (reader.cachingEnabled()
            && (!slidingWindows || emitStrategy.type() != EmitStrategy.StrategyType.ON_WINDOW_CLOSE)) {
            storeBuilder.withCachingEnabled();
        } else {
            storeBuilder.withCachingDisabled();
        }
        return storeBuilder;
    }

    /** The session store of a session-windowed aggregation. */
    StoreBuilder<?> sessionStore(final InternalStreamsBuilder builder, final long retentionMs,
                                 final EmitStrategy emitStrategy) {
        final StoreSupplier<?> given = reader.storeSupplier();
        final SessionBytesStoreSupplier supplier = given != null ? (SessionBytesStoreSupplier) given
            : suppliers(builder).sessionStore(new DslSessionParams(storeName, Duration.ofMillis(retentionMs), emitStrategy,
                DslStoreFormat.PLAIN));
        final StoreBuilder<?> storeBuilder = logged(Stores.sessionStoreBuilder(supplier, keySerde, valueSerde));
        if (reader.cachingEnabled() && emitStrategy.type() != EmitStrategy.StrategyType.ON_WINDOW_CLOSE) {
            storeBuilder.withCachingEnabled();
        } else {
            storeBuilder.withCachingDisabled();
        }
        return storeBuilder;
    }
}
