package io.pspf.runtime.state;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-memory session bytes store, with the semantics of Kafka's {@code InMemorySessionStore}:
 *
 * <pre>
 * session end ──► key ──► session start ──► aggregate
 * </pre>
 *
 * Iteration is session end and key ascending, then session start descending (all reversed backwards). Stream time
 * is the largest session end put; a session ending at or before {@code observedStreamTime - retentionPeriod} is
 * dropped on put and invisible to reads. {@code findSessions(key, earliestEnd, latestStart)} returns the sessions
 * of the key that end at or after {@code earliestEnd} and start at or before {@code latestStart}.
 */
public final class InMemorySessionBytesStore implements SessionStore<Bytes, byte[]>, CarriedOverStores.Keepable {
    private static final Logger LOG = LoggerFactory.getLogger(InMemorySessionBytesStore.class);

    private final String name;
    private final long retentionPeriod;
    private final ConcurrentNavigableMap<Long, ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>>> sessions =
        new ConcurrentSkipListMap<>();
    private final Set<SessionIterator> openIterators = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Position position = Position.emptyPosition();
    private StateStoreContext context;
    private long observedStreamTime = -1L;
    private volatile boolean open;
    /** Set by {@link #keepOnClose} until the next init: closing keeps the records, for the task that takes them. */
    private boolean keep;

    /**
     * @param name            the store name
     * @param retentionPeriod how long sessions are kept behind observed stream time, in ms
     */
    public InMemorySessionBytesStore(final String name, final long retentionPeriod) {
        this.name = Objects.requireNonNull(name, "name cannot be null");
        this.retentionPeriod = retentionPeriod;
    }

    /** @return the retention period in ms */
    public long retentionPeriod() {
        return retentionPeriod;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(final StateStoreContext context, final StateStore root) {
        this.context = context;
        if (root != null) {
            context.register(root, (key, value) -> {
                final Windowed<Bytes> sessionKey = new Windowed<>(StoreFormats.sessionKeyKey(key),
                    new SessionWindow(StoreFormats.sessionKeyStart(key), StoreFormats.sessionKeyEnd(key)));
                put(sessionKey, value);
            });
        }
        keep = false; // taken over (or opened anew): later closes clear as usual
        open = true;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public Position getPosition() {
        return position;
    }

    @Override
    public void put(final Windowed<Bytes> sessionKey, final byte[] aggregate) {
        removeExpiredSegments();
        final long end = sessionKey.window().end();
        observedStreamTime = Math.max(observedStreamTime, end);
        if (end <= observedStreamTime - retentionPeriod) {
            StoreEnvironments.recordExpired(context);
            LOG.warn("Skipping record for expired segment.");
        } else if (aggregate != null) {
            sessions.computeIfAbsent(end, t -> new ConcurrentSkipListMap<>())
                .computeIfAbsent(sessionKey.key(), k -> new ConcurrentSkipListMap<>())
                .put(sessionKey.window().start(), aggregate);
        } else {
            remove(sessionKey);
        }
        StoreSupport.updatePosition(position, context);
    }

    @Override
    public void remove(final Windowed<Bytes> sessionKey) {
        final long end = sessionKey.window().end();
        final ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>> keys = sessions.get(end);
        if (keys == null) {
            return;
        }
        final ConcurrentNavigableMap<Long, byte[]> starts = keys.get(sessionKey.key());
        if (starts == null) {
            return;
        }
        starts.remove(sessionKey.window().start());
        if (starts.isEmpty()) {
            keys.remove(sessionKey.key());
            if (keys.isEmpty()) {
                sessions.remove(end);
            }
        }
    }

    @Override
    public byte[] fetchSession(final Bytes key, final long sessionStartTime, final long sessionEndTime) {
        Objects.requireNonNull(key, "key cannot be null");
        removeExpiredSegments();
        if (sessionEndTime > observedStreamTime - retentionPeriod) {
            final ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>> keys = sessions.get(sessionEndTime);
            if (keys != null) {
                final ConcurrentNavigableMap<Long, byte[]> starts = keys.get(key);
                if (starts != null) {
                    return starts.get(sessionStartTime);
                }
            }
        }
        return null;
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes key, final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes key,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, earliestSessionEndTime, latestSessionStartTime, false);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                 final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return findRange(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        return findRange(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, false);
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> findRange(final Bytes keyFrom, final Bytes keyTo,
                                                               final long earliestSessionEndTime,
                                                               final long latestSessionStartTime,
                                                               final boolean forward) {
        if (keyFrom != null && keyTo != null && keyFrom.compareTo(keyTo) > 0) {
            removeExpiredSegments();
            LOG.warn(StoreSupport.INVALID_RANGE_WARNING);
            return Iterators.empty();
        }
        return find(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime, forward);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                 final long latestSessionEndTime) {
        removeExpiredSegments();
        if (earliestSessionEndTime > latestSessionEndTime) {
            return Iterators.empty();
        }
        return register(new SessionIterator(null, null, Long.MAX_VALUE,
            sessions.subMap(earliestSessionEndTime, true, latestSessionEndTime, true).entrySet().iterator(), true));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, true);
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes key) {
        Objects.requireNonNull(key, "key cannot be null");
        return find(key, key, 0L, Long.MAX_VALUE, false);
    }

    /**
     * Like Kafka's in-memory session store, a key range with {@code keyFrom > keyTo} is not checked here and fails
     * with {@link IllegalArgumentException} once a session end time holds keys.
     */
    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo) {
        return positioned(find(keyFrom, keyTo, 0L, Long.MAX_VALUE, true));
    }

    /** See {@link #fetch(Bytes, Bytes)}. */
    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo) {
        return positioned(find(keyFrom, keyTo, 0L, Long.MAX_VALUE, false));
    }

    /** Moves an iterator to its first session at once, as Kafka's iterators do when they are created. */
    private static KeyValueIterator<Windowed<Bytes>, byte[]> positioned(final KeyValueIterator<Windowed<Bytes>, byte[]> it) {
        try {
            it.hasNext();
        } catch (final RuntimeException e) {
            // an iterator that could not be created does not hold back expiry
            it.close();
            throw e;
        }
        return it;
    }

    private KeyValueIterator<Windowed<Bytes>, byte[]> find(final Bytes keyFrom, final Bytes keyTo,
                                                          final long earliestSessionEndTime,
                                                          final long latestSessionStartTime, final boolean forward) {
        removeExpiredSegments();
        final ConcurrentNavigableMap<Long, ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>>> ends =
            sessions.tailMap(earliestSessionEndTime, true);
        return register(new SessionIterator(keyFrom, keyTo, latestSessionStartTime,
            (forward ? ends : ends.descendingMap()).entrySet().iterator(), forward));
    }

    private SessionIterator register(final SessionIterator iterator) {
        openIterators.add(iterator);
        return iterator;
    }

    private void removeExpiredSegments() {
        long minLiveTime = Math.max(0L, observedStreamTime - retentionPeriod + 1);
        for (final SessionIterator iterator : openIterators) {
            minLiveTime = Math.min(minLiveTime, iterator.currentEndTime);
        }
        sessions.headMap(minLiveTime, false).clear();
    }


    @Override
    public void keepOnClose() {
        keep = true;
    }

    @Override
    public void close() {
        if (!openIterators.isEmpty()) {
            LOG.warn("Closing {} open iterators for store {}", openIterators.size(), name);
            for (final SessionIterator iterator : Set.copyOf(openIterators)) {
                iterator.close();
            }
        }
        if (!keep) {
            sessions.clear();
        }
        open = false;
    }

    private final class SessionIterator implements PeekingIterator<Windowed<Bytes>, byte[]> {
        private final Bytes keyFrom;
        private final Bytes keyTo;
        private final long latestSessionStartTime;
        private final Iterator<Map.Entry<Long, ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>>>> ends;
        private final boolean forward;
        private Iterator<Map.Entry<Bytes, ConcurrentNavigableMap<Long, byte[]>>> keys;
        private Iterator<Map.Entry<Long, byte[]>> starts;
        private Bytes currentKey;
        private long currentEndTime = Long.MAX_VALUE;
        private KeyValue<Windowed<Bytes>, byte[]> next;

        SessionIterator(final Bytes keyFrom, final Bytes keyTo, final long latestSessionStartTime,
                        final Iterator<Map.Entry<Long, ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>>>> ends,
                        final boolean forward) {
            this.keyFrom = keyFrom;
            this.keyTo = keyTo;
            this.latestSessionStartTime = latestSessionStartTime;
            this.ends = ends;
            this.forward = forward;
        }

        @Override
        public boolean hasNext() {
            while (next == null) {
                if (starts != null && starts.hasNext()) {
                    final Map.Entry<Long, byte[]> session = starts.next();
                    next = KeyValue.pair(new Windowed<>(currentKey, new SessionWindow(session.getKey(), currentEndTime)),
                        session.getValue());
                } else if (keys != null && keys.hasNext()) {
                    final Map.Entry<Bytes, ConcurrentNavigableMap<Long, byte[]>> key = keys.next();
                    currentKey = key.getKey();
                    final ConcurrentNavigableMap<Long, byte[]> started = key.getValue().headMap(latestSessionStartTime, true);
                    // Kafka keeps start times in descending order: forward iteration sees later starts first
                    starts = (forward ? started.descendingMap() : started).entrySet().iterator();
                } else if (ends.hasNext()) {
                    final Map.Entry<Long, ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>>> end = ends.next();
                    currentEndTime = end.getKey();
                    ConcurrentNavigableMap<Bytes, ConcurrentNavigableMap<Long, byte[]>> inRange = end.getValue();
                    if (keyFrom != null && keyTo != null) {
                        inRange = inRange.subMap(keyFrom, true, keyTo, true);
                    } else if (keyFrom != null) {
                        inRange = inRange.tailMap(keyFrom, true);
                    } else if (keyTo != null) {
                        inRange = inRange.headMap(keyTo, true);
                    }
                    keys = (forward ? inRange : inRange.descendingMap()).entrySet().iterator();
                    starts = null;
                } else {
                    return false;
                }
            }
            return true;
        }

        @Override
        public KeyValue<Windowed<Bytes>, byte[]> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            final KeyValue<Windowed<Bytes>, byte[]> result = next;
            next = null;
            return result;
        }

        @Override
        public Windowed<Bytes> peekNextKey() {
            return peekNext().key;
        }

        @Override
        public KeyValue<Windowed<Bytes>, byte[]> peekNext() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return next;
        }

        @Override
        public void close() {
            openIterators.remove(this);
        }
    }
}
