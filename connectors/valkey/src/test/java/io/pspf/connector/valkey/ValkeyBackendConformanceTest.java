package io.pspf.connector.valkey;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;
import io.pspf.runtime.backend.BackendProvider;

/** The backend contract on a real Valkey / Redis server; each test gets its own key prefix on the class's server. */
@ExtendWith(ValkeyServerExtension.class)
class ValkeyBackendConformanceTest extends BackendConformanceTest {
    private static final AtomicInteger TESTS = new AtomicInteger();
    private final ValkeyServer server;

    ValkeyBackendConformanceTest(final ValkeyServer server) {
        this.server = server;
    }

    @Override
    protected Backend newBackend() {
        final Map<String, Object> configs = new HashMap<>();
        configs.put(ValkeySettings.KEY_PREFIX_CONFIG, "t" + TESTS.incrementAndGet());
        return BackendProvider.open(server.uri(), configs);
    }
}
