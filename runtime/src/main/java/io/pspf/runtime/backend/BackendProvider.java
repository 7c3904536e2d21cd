package io.pspf.runtime.backend;

import java.util.Map;
import java.util.ServiceLoader;

import org.apache.kafka.common.config.ConfigException;

/**
 * Creates backends for one {@code pspf.backend} scheme ({@code memory:}, {@code log:}, {@code valkey://}, ...).
 * Providers are found with {@link ServiceLoader}.
 */
public interface BackendProvider {
    /** The config key that names the backend. */
    String BACKEND_CONFIG = "pspf.backend";

    /** The scheme this provider serves, without the colon. */
    String scheme();

    /**
     * A backend for the location after the scheme.
     *
     * @param location what follows {@code scheme:} in {@code pspf.backend}
     * @param configs all application settings
     */
    Backend create(String location, Map<String, Object> configs);

    /**
     * Finds the provider for {@code pspf.backend} and creates the backend.
     *
     * @throws ConfigException naming the key and value when no provider serves the scheme
     */
    static Backend open(final String backendUri, final Map<String, Object> configs) {
        final BackendProvider provider = find(backendUri);
        return provider.create(backendUri.substring(backendUri.indexOf(':') + 1), configs);
    }

    /**
     * The provider serving the scheme of {@code backendUri}, without creating a backend.
     *
     * @throws ConfigException naming the key and value when the value is malformed or no provider serves the scheme
     */
    static BackendProvider find(final String backendUri) {
        final int colon = backendUri == null ? -1 : backendUri.indexOf(':');
        if (colon <= 0) {
            throw new ConfigException(BACKEND_CONFIG, backendUri, "expected <scheme>:<location>, for example log:./pspf-data or memory:");
        }
        final String scheme = backendUri.substring(0, colon);
        for (final BackendProvider provider : ServiceLoader.load(BackendProvider.class)) {
            if (provider.scheme().equals(scheme)) {
                return provider;
            }
        }
        throw new ConfigException(BACKEND_CONFIG, backendUri, "no backend is available for the scheme '" + scheme + "'");
    }
}
