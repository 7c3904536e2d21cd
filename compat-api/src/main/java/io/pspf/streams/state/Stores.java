package io.pspf.streams.state;

import java.time.Duration;
import java.util.Objects;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.VersionedBytesStoreSupplier;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowStore;

import io.pspf.runtime.state.KeyValueStoreBuilder;
import io.pspf.runtime.state.PspfKeyValueBytesStoreSupplier;
import io.pspf.runtime.state.PspfSessionBytesStoreSupplier;
import io.pspf.runtime.state.PspfVersionedBytesStoreSupplier;
import io.pspf.runtime.state.PspfWindowBytesStoreSupplier;
import io.pspf.runtime.state.SessionStoreBuilder;
import io.pspf.runtime.state.SessionStoreWithHeadersBuilder;
import io.pspf.runtime.state.TimestampedKeyValueStoreBuilder;
import io.pspf.runtime.state.TimestampedKeyValueStoreWithHeadersBuilder;
import io.pspf.runtime.state.TimestampedWindowStoreBuilder;
import io.pspf.runtime.state.TimestampedWindowStoreWithHeadersBuilder;
import io.pspf.runtime.state.VersionedKeyValueStoreBuilder;
import io.pspf.runtime.state.WindowStoreBuilder;

/**
 * Factory for state stores, PSPF's counterpart of Kafka Streams' {@code org.apache.kafka.streams.state.Stores}
 * with the same methods, argument checks and messages.
 *
 * <p>Suppliers ({@code inMemory*}, {@code persistent*}, {@code lruMap}) name a kind of bytes store; builders
 * ({@code *StoreBuilder}) wrap a supplier's store in the layers Kafka uses: serdes outermost, then an optional
 * record cache ({@code withCachingEnabled()}), then change-logging (on unless {@code withLoggingDisabled()}).
 *
 * <p>The {@code persistent*} suppliers build stores that report {@code persistent() == true} and behave exactly
 * like Kafka's RocksDB stores (including the iteration order of window and session stores and segment-wise
 * expiry); PSPF keeps them in memory, and the engine may back them with a durable store. The builders also accept
 * suppliers from Kafka's own {@code Stores}: each is replaced by PSPF's store of the same kind and parameters.
 *
 * <p>For example, an in-memory key-value store with caching:
 * <pre>{@code
 * StoreBuilder<KeyValueStore<String, Long>> counts = Stores
 *     .keyValueStoreBuilder(Stores.inMemoryKeyValueStore("counts"), Serdes.String(), Serdes.Long())
 *     .withCachingEnabled();
 * topology.addStateStore(counts, "counter");
 * }</pre>
 */
public final class Stores {
    private static final String INVALID_MILLIS = "Invalid value for parameter \"%s\" (value was: %s). ";
    private static final long MIN_DEFAULT_SEGMENT_INTERVAL = 60_000L;

    /** Creates an instance; all methods are static. */
    public Stores() {
    }

    /**
     * A persistent key-value store supplier (plain values).
     *
     * @param name the store name; not null
     * @return a supplier of a persistent key-value bytes store
     * @throws NullPointerException if {@code name} is null
     */
    public static KeyValueBytesStoreSupplier persistentKeyValueStore(final String name) {
        Objects.requireNonNull(name, "name cannot be null");
        return new PspfKeyValueBytesStoreSupplier(name, PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT, 0);
    }

    /**
     * A persistent key-value store supplier that keeps values with their timestamps; the DSL's default for tables.
     *
     * @param name the store name; not null
     * @return a supplier of a persistent timestamped key-value bytes store
     * @throws NullPointerException if {@code name} is null
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(final String name) {
        Objects.requireNonNull(name, "name cannot be null");
        return new PspfKeyValueBytesStoreSupplier(name, PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED, 0);
    }

    /**
     * A persistent key-value store supplier that keeps values with their timestamps and record headers.
     *
     * @param name the store name; not null
     * @return a supplier of a persistent key-value bytes store with headers
     * @throws NullPointerException if {@code name} is null
     */
    public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStoreWithHeaders(final String name) {
        Objects.requireNonNull(name, "name cannot be null");
        return new PspfKeyValueBytesStoreSupplier(name, PspfKeyValueBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS, 0);
    }

    /**
     * A persistent versioned key-value store supplier with Kafka's default segment interval.
     *
     * @param name             the store name; not null
     * @param historyRetention how long old versions stay readable (also the grace period for late writes)
     * @return a supplier of a versioned bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code historyRetention} is null, negative or too large
     */
    public static VersionedBytesStoreSupplier persistentVersionedKeyValueStore(final String name,
                                                                               final Duration historyRetention) {
        Objects.requireNonNull(name, "name cannot be null");
        final long retention = millis(historyRetention, "historyRetention");
        if (retention < 0L) {
            throw new IllegalArgumentException("historyRetention cannot be negative");
        }
        return new PspfVersionedBytesStoreSupplier(name, retention,
            PspfVersionedBytesStoreSupplier.defaultSegmentInterval(retention));
    }

    /**
     * A persistent versioned key-value store supplier.
     *
     * @param name             the store name; not null
     * @param historyRetention how long old versions stay readable (also the grace period for late writes)
     * @param segmentInterval  the size of the store's segments
     * @return a supplier of a versioned bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code historyRetention} is negative or {@code segmentInterval} is not
     *                                  positive, or either is null or too large
     */
    public static VersionedBytesStoreSupplier persistentVersionedKeyValueStore(final String name,
                                                                               final Duration historyRetention,
                                                                               final Duration segmentInterval) {
        Objects.requireNonNull(name, "name cannot be null");
        final long retention = millis(historyRetention, "historyRetention");
        if (retention < 0L) {
            throw new IllegalArgumentException("historyRetention cannot be negative");
        }
        final long interval = millis(segmentInterval, "segmentInterval");
        if (interval < 1L) {
            throw new IllegalArgumentException("segmentInterval cannot be zero or negative");
        }
        return new PspfVersionedBytesStoreSupplier(name, retention, interval);
    }

    /**
     * An in-memory key-value store supplier.
     *
     * @param name the store name; not null
     * @return a supplier of an in-memory key-value bytes store
     * @throws NullPointerException if {@code name} is null
     */
    public static KeyValueBytesStoreSupplier inMemoryKeyValueStore(final String name) {
        Objects.requireNonNull(name, "name cannot be null");
        return new PspfKeyValueBytesStoreSupplier(name, PspfKeyValueBytesStoreSupplier.Kind.IN_MEMORY, 0);
    }

    /**
     * An in-memory key-value store supplier that keeps at most {@code maxCacheSize} entries, dropping the least
     * recently used one when full.
     *
     * @param name         the store name; not null
     * @param maxCacheSize the most entries kept; not negative
     * @return a supplier of an LRU map bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code maxCacheSize} is negative
     */
    public static KeyValueBytesStoreSupplier lruMap(final String name, final int maxCacheSize) {
        Objects.requireNonNull(name, "name cannot be null");
        if (maxCacheSize < 0) {
            throw new IllegalArgumentException("maxCacheSize cannot be negative");
        }
        return new PspfKeyValueBytesStoreSupplier(name, PspfKeyValueBytesStoreSupplier.Kind.LRU, maxCacheSize);
    }

    /**
     * A persistent window store supplier (plain values).
     *
     * @param name             the store name; not null
     * @param retentionPeriod  how long records are kept; not negative, at least the window size
     * @param windowSize       the size of the windows; not negative
     * @param retainDuplicates whether every put is kept (as joins need) instead of replacing the previous value
     * @return a supplier of a persistent window bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if a duration is null, negative or too large, or the window is larger than
     *                                  the retention period
     */
    public static WindowBytesStoreSupplier persistentWindowStore(final String name, final Duration retentionPeriod,
                                                                 final Duration windowSize, final boolean retainDuplicates)
        throws IllegalArgumentException {
        return persistentWindowStore(name, retentionPeriod, windowSize, retainDuplicates,
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT);
    }

    /**
     * A persistent window store supplier that keeps values with their timestamps; the DSL's default for windowed
     * aggregations.
     *
     * @param name             the store name; not null
     * @param retentionPeriod  how long records are kept; not negative, at least the window size
     * @param windowSize       the size of the windows; not negative
     * @param retainDuplicates whether every put is kept instead of replacing the previous value
     * @return a supplier of a persistent timestamped window bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if a duration is null, negative or too large, or the window is larger than
     *                                  the retention period
     */
    public static WindowBytesStoreSupplier persistentTimestampedWindowStore(final String name,
                                                                            final Duration retentionPeriod,
                                                                            final Duration windowSize,
                                                                            final boolean retainDuplicates)
        throws IllegalArgumentException {
        return persistentWindowStore(name, retentionPeriod, windowSize, retainDuplicates,
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT_TIMESTAMPED);
    }

    /**
     * A persistent window store supplier that keeps values with their timestamps and record headers.
     *
     * @param name             the store name; not null
     * @param retentionPeriod  how long records are kept; not negative, at least the window size
     * @param windowSize       the size of the windows; not negative
     * @param retainDuplicates whether every put is kept instead of replacing the previous value
     * @return a supplier of a persistent window bytes store with headers
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if a duration is null, negative or too large, or the window is larger than
     *                                  the retention period
     */
    public static WindowBytesStoreSupplier persistentTimestampedWindowStoreWithHeaders(final String name,
                                                                                       final Duration retentionPeriod,
                                                                                       final Duration windowSize,
                                                                                       final boolean retainDuplicates)
        throws IllegalArgumentException {
        return persistentWindowStore(name, retentionPeriod, windowSize, retainDuplicates,
            PspfWindowBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS);
    }

    private static WindowBytesStoreSupplier persistentWindowStore(final String name, final Duration retentionPeriod,
                                                                  final Duration windowSize,
                                                                  final boolean retainDuplicates,
                                                                  final PspfWindowBytesStoreSupplier.Kind kind) {
        Objects.requireNonNull(name, "name cannot be null");
        final long retentionMs = millis(retentionPeriod, "retentionPeriod");
        final long windowSizeMs = millis(windowSize, "windowSize");
        final long segmentInterval = Math.max(retentionMs / 2, MIN_DEFAULT_SEGMENT_INTERVAL);
        if (retentionMs < 0L) {
            throw new IllegalArgumentException("retentionPeriod cannot be negative");
        }
        if (windowSizeMs < 0L) {
            throw new IllegalArgumentException("windowSize cannot be negative");
        }
        if (windowSizeMs > retentionMs) {
            throw windowLargerThanRetention(name, retentionPeriod, windowSize);
        }
        return new PspfWindowBytesStoreSupplier(name, kind, retentionMs, segmentInterval, windowSizeMs, retainDuplicates);
    }

    /**
     * An in-memory window store supplier.
     *
     * @param name             the store name; not null
     * @param retentionPeriod  how long records are kept; not negative, at least the window size
     * @param windowSize       the size of the windows; not negative
     * @param retainDuplicates whether every put is kept instead of replacing the previous value
     * @return a supplier of an in-memory window bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if a duration is null, negative or too large, or the window is larger than
     *                                  the retention period
     */
    public static WindowBytesStoreSupplier inMemoryWindowStore(final String name, final Duration retentionPeriod,
                                                               final Duration windowSize, final boolean retainDuplicates)
        throws IllegalArgumentException {
        Objects.requireNonNull(name, "name cannot be null");
        final long retentionMs = millis(retentionPeriod, "retentionPeriod");
        if (retentionMs < 0L) {
            throw new IllegalArgumentException("retentionPeriod cannot be negative");
        }
        final long windowSizeMs = millis(windowSize, "windowSize");
        if (windowSizeMs < 0L) {
            throw new IllegalArgumentException("windowSize cannot be negative");
        }
        if (windowSizeMs > retentionMs) {
            throw windowLargerThanRetention(name, retentionPeriod, windowSize);
        }
        return new PspfWindowBytesStoreSupplier(name, PspfWindowBytesStoreSupplier.Kind.IN_MEMORY, retentionMs, 1L,
            windowSizeMs, retainDuplicates);
    }

    /**
     * A persistent session store supplier.
     *
     * @param name            the store name; not null
     * @param retentionPeriod how long sessions are kept; not negative
     * @return a supplier of a persistent session bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code retentionPeriod} is null, negative or too large
     */
    public static SessionBytesStoreSupplier persistentSessionStore(final String name, final Duration retentionPeriod) {
        return persistentSessionStore(name, retentionPeriod, PspfSessionBytesStoreSupplier.Kind.PERSISTENT);
    }

    /**
     * A persistent session store supplier that keeps aggregates with record headers.
     *
     * @param name            the store name; not null
     * @param retentionPeriod how long sessions are kept; not negative
     * @return a supplier of a persistent session bytes store with headers
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code retentionPeriod} is null, negative or too large
     */
    public static SessionBytesStoreSupplier persistentSessionStoreWithHeaders(final String name,
                                                                              final Duration retentionPeriod) {
        return persistentSessionStore(name, retentionPeriod, PspfSessionBytesStoreSupplier.Kind.PERSISTENT_WITH_HEADERS);
    }

    private static SessionBytesStoreSupplier persistentSessionStore(final String name, final Duration retentionPeriod,
                                                                    final PspfSessionBytesStoreSupplier.Kind kind) {
        Objects.requireNonNull(name, "name cannot be null");
        final long retentionMs = millis(retentionPeriod, "retentionPeriod");
        if (retentionMs < 0L) {
            throw new IllegalArgumentException("retentionPeriod cannot be negative");
        }
        return new PspfSessionBytesStoreSupplier(name, kind, retentionMs,
            Math.max(retentionMs / 2, MIN_DEFAULT_SEGMENT_INTERVAL));
    }

    /**
     * An in-memory session store supplier.
     *
     * @param name            the store name; not null
     * @param retentionPeriod how long sessions are kept; not negative
     * @return a supplier of an in-memory session bytes store
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code retentionPeriod} is null, negative or too large
     */
    public static SessionBytesStoreSupplier inMemorySessionStore(final String name, final Duration retentionPeriod) {
        Objects.requireNonNull(name, "name cannot be null");
        final long retentionMs = millis(retentionPeriod, "retentionPeriod");
        if (retentionMs < 0L) {
            throw new IllegalArgumentException("retentionPeriod cannot be negative");
        }
        return new PspfSessionBytesStoreSupplier(name, PspfSessionBytesStoreSupplier.Kind.IN_MEMORY, retentionMs, 1L);
    }

    /**
     * A builder of key-value stores.
     *
     * @param supplier   the bytes store supplier; not null (PSPF's, Kafka's or your own)
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde. A value that serializes to null is a
     *                   delete
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link KeyValueStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<KeyValueStore<K, V>> keyValueStoreBuilder(final KeyValueBytesStoreSupplier supplier,
                                                                                final Serde<K> keySerde,
                                                                                final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new KeyValueStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of timestamped key-value stores.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link TimestampedKeyValueStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<TimestampedKeyValueStore<K, V>> timestampedKeyValueStoreBuilder(
        final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new TimestampedKeyValueStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of timestamped key-value stores that also keep record headers.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link TimestampedKeyValueStoreWithHeaders}
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<TimestampedKeyValueStoreWithHeaders<K, V>> timestampedKeyValueStoreWithHeadersBuilder(
        final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new TimestampedKeyValueStoreWithHeadersBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of versioned key-value stores; they cannot be cached.
     *
     * @param supplier   the versioned bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link VersionedKeyValueStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<VersionedKeyValueStore<K, V>> versionedKeyValueStoreBuilder(
        final VersionedBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new VersionedKeyValueStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of window stores.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link WindowStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<WindowStore<K, V>> windowStoreBuilder(final WindowBytesStoreSupplier supplier,
                                                                            final Serde<K> keySerde,
                                                                            final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new WindowStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of timestamped window stores.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link TimestampedWindowStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<TimestampedWindowStore<K, V>> timestampedWindowStoreBuilder(
        final WindowBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new TimestampedWindowStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of timestamped window stores that also keep record headers.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the value serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        value type
     * @return a builder of {@link TimestampedWindowStoreWithHeaders}
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<TimestampedWindowStoreWithHeaders<K, V>> timestampedWindowStoreWithHeadersBuilder(
        final WindowBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new TimestampedWindowStoreWithHeadersBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of session stores.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the aggregate serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        aggregate type
     * @return a builder of {@link SessionStore}s
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<SessionStore<K, V>> sessionStoreBuilder(final SessionBytesStoreSupplier supplier,
                                                                              final Serde<K> keySerde,
                                                                              final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new SessionStoreBuilder<>(supplier, keySerde, valueSerde);
    }

    /**
     * A builder of session stores that also keep record headers.
     *
     * @param supplier   the bytes store supplier; not null
     * @param keySerde   the key serde; null for the default key serde
     * @param valueSerde the aggregate serde; null for the default value serde
     * @param <K>        key type
     * @param <V>        aggregate type
     * @return a builder of {@link SessionStoreWithHeaders}
     * @throws NullPointerException if {@code supplier} is null
     */
    public static <K, V> StoreBuilder<SessionStoreWithHeaders<K, V>> sessionStoreWithHeadersBuilder(
        final SessionBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        Objects.requireNonNull(supplier, "supplier cannot be null");
        return new SessionStoreWithHeadersBuilder<>(supplier, keySerde, valueSerde);
    }

    /** A duration in ms, failing as Kafka does for null and for durations too large for a long of ms. */
    private static long millis(final Duration duration, final String parameter) {
        final String prefix = String.format(INVALID_MILLIS, parameter, duration);
        if (duration == null) {
            throw new IllegalArgumentException(prefix + "It shouldn't be null.");
        }
        try {
            return duration.toMillis();
        } catch (final ArithmeticException e) {
            throw new IllegalArgumentException(prefix + "It can't be converted to milliseconds.", e);
        }
    }

    private static IllegalArgumentException windowLargerThanRetention(final String name, final Duration retentionPeriod,
                                                                      final Duration windowSize) {
        return new IllegalArgumentException("The retention period of the window store " + name
            + " must be no smaller than its window size. Got size=[" + windowSize + "], retention=["
            + retentionPeriod + "]");
    }
}
