package io.pspf.streams.engine;

import java.util.Map;

/** Instances in one JVM sharing a named memory backend. */
class MemorySharedBackendTest extends SharedBackendTest {
    @Override
    Map<String, Object> backendConfig() {
        return Map.of("pspf.backend", "memory:shared-" + dir.getFileName());
    }
}
