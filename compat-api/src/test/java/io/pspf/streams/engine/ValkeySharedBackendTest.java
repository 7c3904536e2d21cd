package io.pspf.streams.engine;

import java.util.Map;

import org.junit.jupiter.api.extension.ExtendWith;

import io.pspf.connector.valkey.ValkeyServer;
import io.pspf.connector.valkey.ValkeyServerExtension;

/** Instances sharing a real Valkey / Redis server, each test under its own key prefix. */
@ExtendWith(ValkeyServerExtension.class)
class ValkeySharedBackendTest extends SharedBackendTest {
    private final ValkeyServer server;

    ValkeySharedBackendTest(final ValkeyServer server) {
        this.server = server;
    }

    @Override
    Map<String, Object> backendConfig() {
        return Map.of("pspf.backend", server.uri(), "pspf.valkey.key.prefix", "shared-" + dir.getFileName(),
            "session.timeout.ms", 3_000);
    }
}
