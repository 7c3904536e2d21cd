package io.pspf.connector.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.io.TempDir;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendConformanceTest;

/**
 * The backend contract, on a log directory reached through the process holding it: each backend under test is a
 * second {@link SharedLogBackend} on a directory that a first one holds, so every call crosses {@link LogServer}.
 */
class SharedLogConformanceTest extends BackendConformanceTest {
    @TempDir
    Path tmp;

    @Override
    protected Backend newBackend() {
        try {
            final Path dir = Files.createTempDirectory(tmp, "log-");
            final SharedLogBackend holder = new SharedLogBackend(dir, Map.of());
            final SharedLogBackend remote = new SharedLogBackend(dir, Map.of());
            if (!holder.holdsDirectory() || remote.holdsDirectory()) {
                throw new IllegalStateException("expected the first to hold the directory and the second to use it");
            }
            return new io.pspf.runtime.backend.BackendHandle(remote, "remote " + dir, () -> {
                remote.close();
                holder.close();
            });
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
