package io.pspf.runtime.state;

import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.TimeWindow;

/**
 * Helpers of the window bytes stores. Windows are Kafka's own {@link TimeWindow} instances because
 * {@code Window.equals} compares classes, and user code compares the keys it reads with {@code TimeWindow}s.
 */
final class WindowBytesStore {
    private WindowBytesStore() {
    }

    /** The window of a record that starts at {@code start}; its end is capped at {@code Long.MAX_VALUE}. */
    static TimeWindow window(final long start, final long windowSize) {
        long end = start + windowSize;
        if (end < 0) {
            end = Long.MAX_VALUE;
        }
        return new TimeWindow(start, end);
    }

    static Windowed<Bytes> windowed(final Bytes key, final long start, final long windowSize) {
        return new Windowed<>(key, window(start, windowSize));
    }
}
