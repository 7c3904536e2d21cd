package io.pspf.runtime.backend.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        a.createTopic("shared", 1);
        assertEquals(1, b.partitions("shared"), "one backend behind both handles");
        a.close();
        assertEquals(1, b.partitions("shared"), "closing one handle leaves the backend to the other");
        final Backend c = BackendProvider.open("memory:", Map.of());
        c.createTopic("own", 1);
        assertEquals(-1, BackendProvider.open("memory:", Map.of()).partitions("own"));
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
