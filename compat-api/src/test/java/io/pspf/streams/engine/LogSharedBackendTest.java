package io.pspf.streams.engine;

import java.util.Map;

/** Instances sharing one log directory. */
class LogSharedBackendTest extends SharedBackendTest {
    @Override
    Map<String, Object> backendConfig() {
        return Map.of("pspf.backend", "log:" + dir.resolve("log"));
    }
}
