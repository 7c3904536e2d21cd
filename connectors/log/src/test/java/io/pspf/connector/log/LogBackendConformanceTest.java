package io.pspf.connector.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.io.TempDir;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;

/** The backend contract, on the file log. */
class LogBackendConformanceTest extends BackendConformanceTest {
    @TempDir
    Path tmp;

    @Override
    protected Backend newBackend() {
        try {
            return LogBackend.open(Files.createTempDirectory(tmp, "log-"), java.util.Map.of());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
