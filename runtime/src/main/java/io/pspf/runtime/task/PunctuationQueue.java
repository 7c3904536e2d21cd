package io.pspf.runtime.task;

import java.util.PriorityQueue;

import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.Punctuator;

/**
 * Scheduled punctuations of one type, ordered by due time. Kafka's rules: a schedule fires when the clock
 * (stream time or wall-clock time) reaches its due time; the next due time keeps the original alignment, and
 * when the clock jumped past several intervals they collapse into one call (the missed ones are skipped).
 */
final class PunctuationQueue {
    private final PriorityQueue<Schedule> queue = new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));

    /**
     * Adds a schedule first due at {@code due}. With an explicit start time in the past ({@code due < now}), the
     * first call is the next aligned time after now, as in Kafka; pass {@code Long.MIN_VALUE} as {@code now} when
     * there is nothing to compare with.
     */
    Cancellable schedule(final TaskNode node, final long due, final long interval, final Punctuator punctuator,
                         final long now) {
        final Handle handle = new Handle();
        Schedule schedule = new Schedule(node, due, interval, punctuator, handle);
        if (now != Long.MIN_VALUE && due < now) {
            schedule = schedule.next(now);
        }
        queue.add(schedule);
        return handle;
    }

    interface Runner {
        void punctuate(TaskNode node, long timestamp, PunctuationType type, Punctuator punctuator);
    }

    boolean mayPunctuate(final long now, final PunctuationType type, final Runner runner) {
        boolean punctuated = false;
        Schedule top = queue.peek();
        while (top != null && top.due <= now) {
            queue.poll();
            if (!top.handle.cancelled) {
                runner.punctuate(top.node, now, type, top.punctuator);
                if (!top.handle.cancelled) {
                    final Schedule next = top.next(now);
                    if (next.due > now) {
                        queue.add(next);
                    }
                }
                punctuated = true;
            }
            top = queue.peek();
        }
        return punctuated;
    }

    void clear() {
        queue.clear();
    }

    private static final class Handle implements Cancellable {
        volatile boolean cancelled;

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    private static final class Schedule {
        final TaskNode node;
        final long due;
        final long interval;
        final Punctuator punctuator;
        final Handle handle;

        Schedule(final TaskNode node, final long due, final long interval, final Punctuator punctuator,
                 final Handle handle) {
            this.node = node;
            this.due = due;
            this.interval = interval;
            this.punctuator = punctuator;
            this.handle = handle;
        }

        /** The schedule after this one: the first aligned time after {@code now}, capped at Long.MAX_VALUE. */
        Schedule next(final long now) {
            long nextDue;
            try {
                nextDue = Math.addExact(due, interval);
                if (now >= nextDue) {
                    final long missed = (now - due) / interval;
                    nextDue = Math.addExact(due, Math.multiplyExact(missed + 1, interval));
                }
            } catch (final ArithmeticException overflow) {
                nextDue = Long.MAX_VALUE;
            }
            return new Schedule(node, nextDue, interval, punctuator, handle);
        }
    }
}
