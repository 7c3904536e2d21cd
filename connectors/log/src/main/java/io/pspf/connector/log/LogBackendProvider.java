package io.pspf.connector.log;

import java.nio.file.Path;
import java.util.Map;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;

/**
 * {@code pspf.backend=log:<dir>} (PSPF's default, {@code log:./pspf-data}): the native file log in {@code <dir>}.
 * Settings: {@link LogConfig}'s keys, read from the application's configuration.
 */
public final class LogBackendProvider implements BackendProvider {
    /** The directory used when {@code log:} names none. */
    public static final String DEFAULT_DIR = "./pspf-data";

    @Override
    public String scheme() {
        return "log";
    }

    @Override
    public Backend create(final String location, final Map<String, Object> configs) {
        final String dir = location == null || location.isBlank() ? DEFAULT_DIR : location;
        return LogBackend.open(Path.of(dir), configs);
    }
}
