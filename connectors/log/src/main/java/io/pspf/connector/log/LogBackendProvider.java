package io.pspf.connector.log;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendHandle;
import io.pspf.runtime.backend.BackendProvider;

/**
 * {@code pspf.backend=log:<dir>} (PSPF's default, {@code log:./pspf-data}): the native file log in {@code <dir>}.
 * Settings: {@link LogConfig}'s keys, read from the application's configuration.
 *
 * <p>Within one JVM, everything that opens the same directory (a producer and a {@code PspfStreams}, say) shares
 * one {@link SharedLogBackend}: each gets a handle, and the directory is closed when the last handle is. The settings
 * of the first opener apply. Between processes, the first to open the directory holds it and serves it to the others
 * ({@link SharedLogBackend}).
 */
public final class LogBackendProvider implements BackendProvider {
    /** The directory used when {@code log:} names none. */
    public static final String DEFAULT_DIR = "./pspf-data";

    private static final Map<Path, Shared> OPEN = new HashMap<>();

    @Override
    public String scheme() {
        return "log";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        final String dir = location == null || location.isBlank() ? DEFAULT_DIR : location;
        final Path path = Path.of(dir).toAbsolutePath().normalize();
        synchronized (OPEN) {
            Shared shared = OPEN.get(path);
            if (shared == null) {
                shared = new Shared(path, new SharedLogBackend(path, configs));
                OPEN.put(path, shared);
            }
            shared.users++;
            final Shared opened = shared;
            return new BackendHandle(shared.backend, "log:" + path, () -> {
                synchronized (OPEN) {
                    if (--opened.users == 0) {
                        OPEN.remove(opened.path);
                        opened.backend.close();
                    }
                }
            });
        }
    }

    private static final class Shared {
        final Path path;
        final SharedLogBackend backend;
        int users;

        Shared(final Path path, final SharedLogBackend backend) {
            this.path = path;
            this.backend = backend;
        }
    }
}
