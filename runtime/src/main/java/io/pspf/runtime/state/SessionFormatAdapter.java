package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.SessionStore;

/**
 * Lets a persistent session store that keeps plain aggregates serve the headers format, as Kafka's
 * {@code SessionToHeadersStoreAdapter} does: headers are dropped on the way down, and come back empty.
 */
final class SessionFormatAdapter extends ForwardingSessionBytesStore {

    SessionFormatAdapter(final SessionStore<Bytes, byte[]> wrapped) {
        super(wrapped);
    }

    private static byte[] up(final byte[] plain) {
        return FormatConversions.plainToAggregationHeaders(plain);
    }

    private static KeyValueIterator<Windowed<Bytes>, byte[]> up(final KeyValueIterator<Windowed<Bytes>, byte[]> inner) {
        return Iterators.map(inner, k -> k, SessionFormatAdapter::up);
    }

    @Override
    public void put(final Windowed<Bytes> sessionKey, final byte[] aggregate) {
        wrapped().put(sessionKey, FormatConversions.aggregationHeadersToPlain(aggregate));
    }

    @Override
    public byte[] fetchSession(final Bytes key, final long sessionStartTime, final long sessionEndTime) {
        return up(wrapped().fetchSession(key, sessionStartTime, sessionEndTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes key, final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return up(wrapped().findSessions(key, earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes key,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        return up(wrapped().backwardFindSessions(key, earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                 final long earliestSessionEndTime,
                                                                 final long latestSessionStartTime) {
        return up(wrapped().findSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFindSessions(final Bytes keyFrom, final Bytes keyTo,
                                                                         final long earliestSessionEndTime,
                                                                         final long latestSessionStartTime) {
        return up(wrapped().backwardFindSessions(keyFrom, keyTo, earliestSessionEndTime, latestSessionStartTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> findSessions(final long earliestSessionEndTime,
                                                                 final long latestSessionEndTime) {
        return up(wrapped().findSessions(earliestSessionEndTime, latestSessionEndTime));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes key) {
        return up(wrapped().fetch(key));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes key) {
        return up(wrapped().backwardFetch(key));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> fetch(final Bytes keyFrom, final Bytes keyTo) {
        return up(wrapped().fetch(keyFrom, keyTo));
    }

    @Override
    public KeyValueIterator<Windowed<Bytes>, byte[]> backwardFetch(final Bytes keyFrom, final Bytes keyTo) {
        return up(wrapped().backwardFetch(keyFrom, keyTo));
    }
}
