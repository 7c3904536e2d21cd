package io.pspf.runtime.engine;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * A view of a store that another thread writes: every call holds a monitor the writer also holds while it works
 * (a task's, or the global updater's), and what a call returns as an iterator is read whole under it, so that the
 * caller iterates a snapshot. Used for interactive queries and for global stores read by stream threads.
 *
 * <p>Design note: PSPF's in-memory structures are not safe for concurrent use (a hash map with lazily sorted keys), so
 * readers on other threads need the writer's lock; holding it across a caller's iteration would stall processing, so
 * ranges are copied. A query over a very large range therefore costs memory in proportion to it.
 */
final class SynchronizedStores {
    private SynchronizedStores() {
    }

    static StateStore wrap(final StateStore store, final Object monitor) {
        return wrap(store, monitor, () -> true);
    }

    /**
     * As {@link #wrap(StateStore, Object)}, for a store that stops being the writer's while it looks open: once
     * {@code current} (asked under the monitor) says no, calls fail as on a closed store. A standby's in-memory store
     * handed to the active task is reopened by it, under another monitor.
     */
    static StateStore wrap(final StateStore store, final Object monitor, final java.util.function.BooleanSupplier current) {
        final Set<Class<?>> interfaces = new LinkedHashSet<>();
        for (Class<?> type = store.getClass(); type != null; type = type.getSuperclass()) {
            collect(type, interfaces);
        }
        return (StateStore) Proxy.newProxyInstance(SynchronizedStores.class.getClassLoader(),
            interfaces.toArray(new Class<?>[0]), new Handler(store, monitor, current));
    }

    private static void collect(final Class<?> type, final Set<Class<?>> into) {
        for (final Class<?> implemented : type.getInterfaces()) {
            if (java.lang.reflect.Modifier.isPublic(implemented.getModifiers())) {
                into.add(implemented);
            }
            collect(implemented, into);
        }
    }

    private static final class Handler implements InvocationHandler {
        private final StateStore store;
        private final Object monitor;
        private final java.util.function.BooleanSupplier current;

        Handler(final StateStore store, final Object monitor, final java.util.function.BooleanSupplier current) {
            this.store = store;
            this.monitor = monitor;
            this.current = current;
        }

        @Override
        public Object invoke(final Object proxy, final Method method, final Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                switch (method.getName()) {
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    default:
                        return "Synchronized[" + store + "]";
                }
            }
            synchronized (monitor) {
                final boolean open = store.isOpen() && current.getAsBoolean();
                if (method.getName().equals("isOpen") && method.getParameterCount() == 0) {
                    return open;
                }
                if (!open && !method.getName().equals("name") && !method.getName().equals("persistent")) {
                    // the task closed the store (it moved to another thread or instance), as Kafka reports it
                    throw new org.apache.kafka.streams.errors.InvalidStateStoreException("The state store, "
                        + store.name() + ", may have migrated to another instance.");
                }
                final Object result;
                try {
                    result = method.invoke(store, args);
                } catch (final InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof KeyValueIterator) {
                    return snapshot((KeyValueIterator<?, ?>) result);
                }
                if (result instanceof QueryResult) {
                    return snapshot((QueryResult<?>) result);
                }
                return result;
            }
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object snapshot(final QueryResult<?> result) {
        if (!result.isSuccess() || !(result.getResult() instanceof KeyValueIterator)) {
            return result;
        }
        final QueryResult copy = QueryResult.forResult(snapshot((KeyValueIterator<?, ?>) result.getResult()));
        copy.setPosition(result.getPosition());
        return copy;
    }

    /** Reads an iterator whole into a {@link Snapshot}, which is a key-value and a window store iterator alike. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Snapshot snapshot(final KeyValueIterator<?, ?> iterator) {
        final List<KeyValue> items = new ArrayList<>();
        try {
            while (iterator.hasNext()) {
                items.add(iterator.next());
            }
        } finally {
            iterator.close();
        }
        return new Snapshot(items);
    }

    /**
     * A copy of what an iterator held: a {@link WindowStoreIterator} is a {@link KeyValueIterator} over {@code Long}
     * keys, so one class serves either return type.
     */
    @SuppressWarnings("rawtypes")
    private static final class Snapshot implements org.apache.kafka.streams.state.WindowStoreIterator {
        private final List<KeyValue> items;
        private int next;

        Snapshot(final List<KeyValue> items) {
            this.items = items;
        }

        @Override
        public boolean hasNext() {
            return next < items.size();
        }

        @Override
        public KeyValue next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return items.get(next++);
        }

        @Override
        public Object peekNextKey() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return items.get(next).key;
        }

        @Override
        public void close() {
        }
    }
}
