package io.pspf.streams.differential;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;

/**
 * One side's {@code Stores} factory: {@code org.apache.kafka.streams.state.Stores} for Kafka and
 * {@code io.pspf.streams.state.Stores} for PSPF. Both are reached by reflection, by method name and arity (every
 * factory name of Kafka's {@code Stores} is unique per arity), so this test code compiles whether PSPF's class exists
 * yet or not; a test using stores fails with a clear message while it does not.
 */
public final class StoresApi {
    public static final String KAFKA_STORES = "org.apache.kafka.streams.state.Stores";
    public static final String PSPF_STORES = "io.pspf.streams.state.Stores";

    private final String className;

    StoresApi(final String className) {
        this.className = className;
    }

    /** Calls the static factory {@code method} of this side's {@code Stores} with {@code args}. */
    @SuppressWarnings("unchecked")
    public <T> T call(final String method, final Object... args) {
        final Class<?> stores;
        try {
            stores = Class.forName(className);
        } catch (final ClassNotFoundException e) {
            throw new IllegalStateException(className + " does not exist (yet): store tests cannot run on this side", e);
        }
        for (final Method m : stores.getMethods()) {
            if (m.getName().equals(method) && Modifier.isStatic(m.getModifiers())
                && m.getParameterCount() == args.length && accepts(m.getParameterTypes(), args)) {
                try {
                    return (T) m.invoke(null, args);
                } catch (final InvocationTargetException e) {
                    final Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException) {
                        throw (RuntimeException) cause;
                    }
                    if (cause instanceof Error) {
                        throw (Error) cause;
                    }
                    throw new IllegalStateException(cause);
                } catch (final IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        throw new IllegalStateException(className + " has no static method " + method + " taking " + args.length
            + " arguments of the given types");
    }

    private static boolean accepts(final Class<?>[] types, final Object[] args) {
        for (int i = 0; i < types.length; i++) {
            if (args[i] == null) {
                if (types[i].isPrimitive()) {
                    return false;
                }
                continue;
            }
            final Class<?> type = box(types[i]);
            if (!type.isInstance(args[i])) {
                return false;
            }
        }
        return true;
    }

    private static Class<?> box(final Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        return Object.class;
    }

    public KeyValueBytesStoreSupplier inMemoryKeyValueStore(final String name) {
        return call("inMemoryKeyValueStore", name);
    }

    public KeyValueBytesStoreSupplier persistentKeyValueStore(final String name) {
        return call("persistentKeyValueStore", name);
    }

    public KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(final String name) {
        return call("persistentTimestampedKeyValueStore", name);
    }

    public <K, V> StoreBuilder<KeyValueStore<K, V>> keyValueStoreBuilder(final KeyValueBytesStoreSupplier supplier,
                                                                       final Serde<K> keySerde,
                                                                       final Serde<V> valueSerde) {
        return call("keyValueStoreBuilder", supplier, keySerde, valueSerde);
    }

    public <K, V> StoreBuilder<TimestampedKeyValueStore<K, V>> timestampedKeyValueStoreBuilder(
        final KeyValueBytesStoreSupplier supplier, final Serde<K> keySerde, final Serde<V> valueSerde) {
        return call("timestampedKeyValueStoreBuilder", supplier, keySerde, valueSerde);
    }

    /** An in-memory key-value store builder: the usual one in tests. */
    public <K, V> StoreBuilder<KeyValueStore<K, V>> inMemory(final String name, final Serde<K> keySerde,
                                                           final Serde<V> valueSerde) {
        return keyValueStoreBuilder(inMemoryKeyValueStore(name), keySerde, valueSerde);
    }
}
