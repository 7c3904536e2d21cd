package io.pspf.runtime.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.internals.SessionWindow;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.SessionStore;
import org.apache.kafka.streams.state.SessionStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.TimestampedKeyValueStoreWithHeaders;
import org.apache.kafka.streams.state.TimestampedWindowStore;
import org.apache.kafka.streams.state.TimestampedWindowStoreWithHeaders;
import org.apache.kafka.streams.state.VersionedKeyValueStore;
import org.apache.kafka.streams.state.VersionedRecord;
import org.apache.kafka.streams.state.WindowStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.pspf.runtime.state.WrappedStore;

/**
 * {@link StoreDecorators} against Kafka Streams 4.4's own decorators ({@code AbstractReadWriteDecorator},
 * {@code AbstractReadOnlyDecorator}, reached by reflection): for every store interface and every public method of it,
 * both views of a recording store must throw the same (type and message) or pass the same call down and return what
 * the store returned; and both views must implement the same public store interfaces. Plus readable checks of the
 * messages.
 */
class StoreDecoratorsTest {
    private static final String KAFKA_INTERNALS = "org.apache.kafka.streams.processor.internals.";

    static final List<Class<? extends StateStore>> STORE_TYPES = List.of(
        KeyValueStore.class, TimestampedKeyValueStore.class, TimestampedKeyValueStoreWithHeaders.class,
        VersionedKeyValueStore.class, WindowStore.class, TimestampedWindowStore.class,
        TimestampedWindowStoreWithHeaders.class, SessionStore.class, SessionStoreWithHeaders.class);

    // ------------------------------------------------------------------------------------------------ Kafka's views

    private static StateStore kafka(final String decorator, final String factory, final StateStore store) {
        try {
            final Method m = Class.forName(KAFKA_INTERNALS + decorator).getDeclaredMethod(factory, StateStore.class);
            m.setAccessible(true);
            return (StateStore) m.invoke(null, store);
        } catch (final ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    static StateStore kafkaReadWrite(final StateStore store) {
        return kafka("AbstractReadWriteDecorator", "wrapWithReadWriteStore", store);
    }

    static StateStore kafkaReadOnly(final StateStore store) {
        return kafka("AbstractReadOnlyDecorator", "getReadOnlyStore", store);
    }

    // ------------------------------------------------------------------------------------------------ recording store

    /** A store of the given interface that records each call and returns a fresh value of the method's type. */
    static final class Recorder {
        final List<String> calls = new ArrayList<>();
        Object lastReturned;
        final StateStore store;

        Recorder(final Class<? extends StateStore> type) {
            store = (StateStore) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "hashCode":
                            if (method.getParameterCount() == 0) {
                                return System.identityHashCode(proxy);
                            }
                            break;
                        case "equals":
                            if (method.getParameterCount() == 1) {
                                return proxy == args[0];
                            }
                            break;
                        case "toString":
                            if (method.getParameterCount() == 0) {
                                return "Recorder[" + type.getSimpleName() + "]";
                            }
                            break;
                        default:
                            break;
                    }
                    calls.add(signature(method) + Arrays.toString(args == null ? new Object[0] : args));
                    lastReturned = valueOf(method.getReturnType());
                    return lastReturned;
                });
        }
    }

    private static Object valueOf(final Class<?> type) {
        if (type == void.class) {
            return null;
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == long.class) {
            return 7L;
        }
        if (type == int.class) {
            return 3;
        }
        if (type == String.class) {
            return "inner-name";
        }
        if (type == Long.class) {
            return 11L;
        }
        if (type == Position.class) {
            return Position.emptyPosition();
        }
        if (type == VersionedRecord.class) {
            return new VersionedRecord<>("versioned", 5L);
        }
        if (type.isInterface()) {
            return Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
                if (m.getName().equals("toString")) {
                    return "returned " + type.getSimpleName();
                }
                if (m.getName().equals("hashCode")) {
                    return System.identityHashCode(p);
                }
                if (m.getName().equals("equals")) {
                    return p == a[0];
                }
                return m.getReturnType() == boolean.class ? false : null; // e.g. an iterator's hasNext
            });
        }
        return new Object() {
            @Override
            public String toString() {
                return "value";
            }
        };
    }

    /** The same argument objects on both sides, so that the recorded calls compare equal. */
    private static final Map<String, Object> ARGUMENTS = new java.util.HashMap<>();

    private static Object argument(final Class<?> type, final int index) {
        final String key = type.getName() + "#" + index;
        if (!ARGUMENTS.containsKey(key)) {
            ARGUMENTS.put(key, newArgument(type, index));
        }
        return ARGUMENTS.get(key);
    }

    private static Object newArgument(final Class<?> type, final int index) {
        if (type == long.class) {
            return 100L + index;
        }
        if (type == Instant.class) {
            return Instant.ofEpochMilli(200L + index);
        }
        if (type == List.class) {
            return List.of(KeyValue.pair("k", "v"));
        }
        if (type == Serializer.class) {
            return new StringSerializer();
        }
        if (type == Windowed.class) {
            return new Windowed<>("wk", new SessionWindow(1L, 2L));
        }
        if (type == StateStoreContext.class || type == StateStore.class) {
            return null;
        }
        if (type == Map.class) {
            return Map.of(new TopicPartition("t", 0), 1L);
        }
        if (type == TopicPartition.class) {
            return new TopicPartition("t", 0);
        }
        if (type == Query.class) {
            return KeyQuery.withKey("qk");
        }
        if (type == PositionBound.class) {
            return PositionBound.unbounded();
        }
        if (type == QueryConfig.class) {
            return new QueryConfig(false);
        }
        if (type == IsolationLevel.class) {
            return IsolationLevel.READ_COMMITTED;
        }
        if (type == Object.class) {
            return "arg" + index;
        }
        throw new IllegalArgumentException("no test argument of type " + type);
    }

    private static String signature(final Method m) {
        return m.getName() + Arrays.stream(m.getParameterTypes()).map(Class::getSimpleName)
            .collect(Collectors.joining(",", "(", ")"));
    }

    /** What calling {@code m} on {@code view} (over {@code recorder}) did, in terms comparable between the sides. */
    private static String outcome(final StateStore view, final Recorder recorder, final Method m) {
        final Object[] args = new Object[m.getParameterCount()];
        for (int i = 0; i < args.length; i++) {
            args[i] = argument(m.getParameterTypes()[i], i);
        }
        recorder.calls.clear();
        recorder.lastReturned = null;
        String result;
        try {
            final Object returned = m.invoke(view, args);
            if (m.getReturnType() == void.class) {
                result = "void";
            } else if (returned == view) {
                result = "the view itself";
            } else if (returned != null && returned == recorder.lastReturned) {
                result = "the store's result";
            } else if (returned instanceof Boolean || returned instanceof Number || returned instanceof String) {
                result = String.valueOf(returned);
            } else {
                result = "another object: " + returned;
            }
        } catch (final InvocationTargetException e) {
            result = "threw " + e.getCause().getClass().getName() + ": " + e.getCause().getMessage();
        } catch (final IllegalAccessException e) {
            throw new AssertionError(e);
        }
        return result + " | store saw " + recorder.calls;
    }

    /** The public (non-internal) Kafka Streams interfaces a view implements. */
    private static Set<String> storeInterfaces(final Object view) {
        final Set<String> names = new TreeSet<>();
        final List<Class<?>> todo = new ArrayList<>();
        for (Class<?> c = view.getClass(); c != null; c = c.getSuperclass()) {
            todo.addAll(Arrays.asList(c.getInterfaces()));
        }
        while (!todo.isEmpty()) {
            final Class<?> i = todo.remove(todo.size() - 1);
            if (i.getName().startsWith("org.apache.kafka.streams.") && !i.getName().contains(".internals.")
                && names.add(i.getName())) {
                todo.addAll(Arrays.asList(i.getInterfaces()));
            }
        }
        return names;
    }

    static List<Arguments> storeTypesAndModes() {
        final List<Arguments> all = new ArrayList<>();
        for (final Class<? extends StateStore> type : STORE_TYPES) {
            all.add(Arguments.of(type.getSimpleName(), type, true));
            all.add(Arguments.of(type.getSimpleName(), type, false));
        }
        return all;
    }

    @ParameterizedTest(name = "{0} readOnly={2}")
    @MethodSource("storeTypesAndModes")
    void shouldBehaveAsKafkasDecoratorForEveryMethod(final String name, final Class<? extends StateStore> type,
                                                     final boolean readOnly) {
        final UnaryOperator<StateStore> kafkaView = readOnly ? StoreDecoratorsTest::kafkaReadOnly
            : StoreDecoratorsTest::kafkaReadWrite;
        final UnaryOperator<StateStore> pspfView = readOnly ? StoreDecorators::readOnly : StoreDecorators::readWrite;
        final Recorder kafkaStore = new Recorder(type);
        final Recorder pspfStore = new Recorder(type);
        final StateStore kafka = kafkaView.apply(kafkaStore.store);
        final StateStore pspf = pspfView.apply(pspfStore.store);

        assertEquals(storeInterfaces(kafka), storeInterfaces(pspf), "interfaces of the view");

        final Map<String, String> expected = new TreeMap<>();
        final Map<String, String> actual = new TreeMap<>();
        final Set<String> seen = new LinkedHashSet<>();
        for (final Method m : type.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) || !seen.add(signature(m))) {
                continue;
            }
            expected.put(signature(m), outcome(kafka, kafkaStore, m));
            actual.put(signature(m), outcome(pspf, pspfStore, m));
        }
        assertTrue(expected.size() > 10, "methods checked: " + expected.keySet());
        assertEquals(lines(expected), lines(actual));
    }

    private static String lines(final Map<String, String> outcomes) {
        return outcomes.entrySet().stream().map(e -> e.getKey() + " -> " + e.getValue())
            .collect(Collectors.joining("\n"));
    }

    @Test
    void shouldReturnOtherStoresAndNullAsTheyAre() {
        final StateStore custom = new Recorder(StateStore.class).store;
        assertSame(custom, StoreDecorators.readWrite(custom));
        assertSame(custom, StoreDecorators.readOnly(custom));
        assertSame(kafkaReadWrite(custom), StoreDecorators.readWrite(custom));
        assertNull(StoreDecorators.readWrite(null));
        assertNull(StoreDecorators.readOnly(null));
    }

    // ------------------------------------------------------------------------------------------------ readable checks

    private static void assertRefused(final String message, final Runnable call) {
        final UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, call::run);
        assertEquals(message, e.getMessage());
    }

    @SuppressWarnings({"unchecked", "deprecation"})
    @Test
    void shouldRefuseLifecycleOfOwnStoreButPassReadsAndWrites() {
        final Recorder recorder = new Recorder(KeyValueStore.class);
        final KeyValueStore<String, String> view = (KeyValueStore<String, String>) StoreDecorators.readWrite(recorder.store);
        final String message = "This method may only be called by Kafka Streams";
        assertRefused(message, () -> view.init(null, null));
        assertRefused(message, view::close);
        assertRefused(message, () -> view.commit(Map.of()));
        view.flush(); // a no-op in Kafka 4.4: not passed down
        assertEquals(List.of(), recorder.calls);

        view.put("k", "v");
        view.delete("k");
        assertEquals("inner-name", view.name());
        assertTrue(view.persistent());
        assertTrue(view.isOpen());
        assertEquals(List.of("put(Object,Object)[k, v]", "delete(Object)[k]", "name()[]", "persistent()[]",
            "isOpen()[]"), recorder.calls);
        assertFalse(view instanceof TimestampedKeyValueStore);
    }

    @SuppressWarnings({"unchecked", "deprecation"})
    @Test
    void shouldRefuseWritesAndLifecycleOfGlobalStoreButPassReads() {
        final Recorder recorder = new Recorder(TimestampedKeyValueStore.class);
        final TimestampedKeyValueStore<String, String> view =
            (TimestampedKeyValueStore<String, String>) StoreDecorators.readOnly(recorder.store);
        final String message = "Global store is read only";
        assertRefused(message, () -> view.init(null, null));
        assertRefused(message, view::close);
        assertRefused(message, view::flush);
        assertRefused(message, () -> view.commit(Map.of()));
        assertRefused(message, () -> view.put("k", null));
        assertRefused(message, () -> view.putIfAbsent("k", null));
        assertRefused(message, () -> view.putAll(List.of()));
        assertRefused(message, () -> view.delete("k"));
        assertEquals(List.of(), recorder.calls);

        final Object value = view.get("k");
        assertSame(recorder.lastReturned, value);
        view.all();
        view.approximateNumEntries();
        assertEquals(List.of("get(Object)[k]", "all()[]", "approximateNumEntries()[]"), recorder.calls);
    }

    @Test
    void shouldRefuseWritesOfEveryGlobalStoreType() {
        final String message = "Global store is read only";
        final WindowStore<?, ?> window = (WindowStore<?, ?>) StoreDecorators.readOnly(
            new Recorder(TimestampedWindowStoreWithHeaders.class).store);
        assertRefused(message, () -> window.put(null, null, 1L));
        assertFalse(window instanceof TimestampedWindowStoreWithHeaders, "Kafka 4.4 has no read-only view for it");
        final SessionStore<?, ?> session = (SessionStore<?, ?>) StoreDecorators.readOnly(
            new Recorder(SessionStoreWithHeaders.class).store);
        assertRefused(message, () -> session.put(null, null));
        assertRefused(message, () -> session.remove(null));
        assertFalse(session instanceof SessionStoreWithHeaders, "Kafka 4.4 has no read-only view for it");
        final VersionedKeyValueStore<?, ?> versioned = (VersionedKeyValueStore<?, ?>) StoreDecorators.readOnly(
            new Recorder(VersionedKeyValueStore.class).store);
        assertRefused(message, () -> versioned.put(null, null, 1L));
        assertRefused(message, () -> versioned.delete(null, 1L));
    }

    @Test
    void shouldKeepHeaderInterfacesOfOwnStores() {
        assertTrue(StoreDecorators.readWrite(new Recorder(TimestampedWindowStoreWithHeaders.class).store)
            instanceof TimestampedWindowStoreWithHeaders);
        assertTrue(StoreDecorators.readWrite(new Recorder(SessionStoreWithHeaders.class).store)
            instanceof SessionStoreWithHeaders);
        assertTrue(StoreDecorators.readWrite(new Recorder(TimestampedKeyValueStoreWithHeaders.class).store)
            instanceof TimestampedKeyValueStoreWithHeaders);
        assertTrue(StoreDecorators.readOnly(new Recorder(TimestampedKeyValueStoreWithHeaders.class).store)
            instanceof TimestampedKeyValueStoreWithHeaders);
    }

    @SuppressWarnings("unchecked")
    @Test
    void shouldPassQueriesDownAndNoteTheViewWhenCollectingExecutionInfo() {
        final Recorder recorder = new Recorder(KeyValueStore.class);
        final StateStore view = StoreDecorators.readWrite(recorder.store);
        final List<String> info = new ArrayList<>();
        final QueryResult<Object> result = (QueryResult<Object>) Proxy.newProxyInstance(
            QueryResult.class.getClassLoader(), new Class<?>[] {QueryResult.class}, (p, m, a) -> {
                if (m.getName().equals("addExecutionInfo")) {
                    info.add((String) a[0]);
                }
                return null;
            });
        final StateStore store = (StateStore) Proxy.newProxyInstance(KeyValueStore.class.getClassLoader(),
            new Class<?>[] {KeyValueStore.class}, (p, m, a) -> m.getName().equals("query") ? result : null);
        final StateStore queried = StoreDecorators.readOnly(store);
        assertSame(result, queried.query(KeyQuery.withKey("k"), PositionBound.unbounded(), new QueryConfig(true)));
        assertEquals(1, info.size());
        assertTrue(info.get(0).startsWith("Handled in class io.pspf.runtime.task.StoreDecorators$")
            && info.get(0).contains(" via WrappedStateStore in ") && info.get(0).endsWith("ns"), info.get(0));
        assertTrue(view instanceof WrappedStore);
        assertSame(recorder.store, ((WrappedStore<?>) view).wrapped());
    }
}
