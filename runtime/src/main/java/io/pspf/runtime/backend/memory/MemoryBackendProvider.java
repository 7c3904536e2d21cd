package io.pspf.runtime.backend.memory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendHandle;
import io.pspf.runtime.backend.BackendProvider;

/**
 * {@code pspf.backend=memory:} gives an application a backend of its own; {@code memory:<name>} gives every
 * application in the JVM that uses the same name the same backend, so several instances can share topics.
 */
public final class MemoryBackendProvider implements BackendProvider {
    private static final Map<String, MemoryBackend> NAMED = new ConcurrentHashMap<>();

    @Override
    public String scheme() {
        return "memory";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        if (location == null || location.isEmpty()) {
            return new MemoryBackend();
        }
        // a named backend lives as long as the JVM, like a server: closing one user's handle leaves it to the others
        return new BackendHandle(NAMED.computeIfAbsent(location, name -> new MemoryBackend()), "memory:" + location, () -> { });
    }
}
