package io.pspf.runtime.backend.memory;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.BackendProvider;

/** The backend conformance suite on the memory backend, plus how {@code pspf.backend=memory:...} resolves. */
class MemoryBackendTest extends BackendConformanceTest {
    @Override
    protected Backend newBackend() {
        return new MemoryBackend();
    }

    @Test
    void shouldShareNamedMemoryBackendsAndIsolateUnnamedOnes() {
        final Backend a = BackendProvider.open("memory:shared-test", Map.of());
        final Backend b = BackendProvider.open("memory:shared-test", Map.of());
        assertSame(a, b);
        assertNotSame(BackendProvider.open("memory:", Map.of()), BackendProvider.open("memory:", Map.of()));
    }

    @Test
    void shouldNameTheKeyAndValueForAnUnknownScheme() {
        final ConfigException e = assertThrows(ConfigException.class, () -> BackendProvider.open("nosuch:x", Map.of()));
        assertTrue(e.getMessage().contains("pspf.backend") && e.getMessage().contains("nosuch:x"), e.getMessage());
        assertThrows(ConfigException.class, () -> BackendProvider.open("no-colon", Map.of()));
    }

    @Test
    void shouldRefuseWorkAfterClose() {
        final MemoryBackend closed = new MemoryBackend();
        closed.createTopic("t", 1);
        closed.close();
        assertThrows(BackendException.class, () -> closed.append("t", 0, List.of()));
    }
}
