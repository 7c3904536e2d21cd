package io.pspf.streams.engine;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.memory.MemoryBackendProvider;

/**
 * Test backend {@code gated:<name>}: the named memory backend {@code memory:<name>}, whose commits a test can hold
 * back and fail through {@link #gate}.
 */
public final class GatedBackendProvider implements BackendProvider {
    private static final Map<String, Gate> GATES = new ConcurrentHashMap<>();

    /** Controls the commits of {@code gated:<name>}. */
    static final class Gate {
        private final Object monitor = new Object();
        private boolean held;
        private BackendException failure;
        /** Commits waiting at the gate now. */
        final AtomicInteger waiting = new AtomicInteger();

        /** Commits from now on wait until {@link #open} or {@link #fail}. */
        void hold() {
            synchronized (monitor) {
                held = true;
                failure = null;
            }
        }

        void open() {
            synchronized (monitor) {
                held = false;
                monitor.notifyAll();
            }
        }

        /** The commits waiting now fail with {@code e} without reaching the backend; later ones pass. */
        void fail(final BackendException e) {
            synchronized (monitor) {
                failure = e;
                held = false;
                monitor.notifyAll();
            }
        }

        private void pass() {
            synchronized (monitor) {
                if (!held) {
                    return;
                }
                waiting.incrementAndGet();
                try {
                    final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (held && System.nanoTime() < deadline) {
                        monitor.wait(100);
                    }
                    if (failure != null) {
                        final BackendException e = failure;
                        failure = null;
                        throw e;
                    }
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new BackendException("interrupted at the gate", e);
                } finally {
                    waiting.decrementAndGet();
                }
            }
        }
    }

    static Gate gate(final String name) {
        return GATES.computeIfAbsent(name, n -> new Gate());
    }

    @Override
    public String scheme() {
        return "gated";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        final Backend memory = new MemoryBackendProvider().create(location, configs);
        final Gate gate = gate(location);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, args) -> {
                if (method.getName().equals("commit")) {
                    gate.pass();
                }
                try {
                    return method.invoke(memory, args);
                } catch (final InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
