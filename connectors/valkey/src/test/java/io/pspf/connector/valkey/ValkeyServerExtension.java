package io.pspf.connector.valkey;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one real server ({@link ValkeyServer}) per test class and passes it to test methods and constructors that
 * take a {@link ValkeyServer}. Without a server binary on the PATH the tests are skipped, unless
 * {@code PSPF_REQUIRE_VALKEY=1} (as in CI), when they fail.
 */
public final class ValkeyServerExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ValkeyServerExtension.class);

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception {
        requireServerBinary();
        context.getStore(NAMESPACE).put("server", ValkeyServer.start());
    }

    /**
     * Skips the calling test when there is no server binary on the PATH, or fails it when
     * {@code PSPF_REQUIRE_VALKEY=1}.
     */
    public static void requireServerBinary() {
        if (ValkeyServer.findBinary() == null) {
            if ("1".equals(System.getenv("PSPF_REQUIRE_VALKEY"))) {
                throw new IllegalStateException("PSPF_REQUIRE_VALKEY=1 but neither valkey-server nor redis-server is on "
                    + "the PATH (install one, e.g. apt-get install -y redis-server)");
            }
            Assumptions.abort("No valkey-server or redis-server on the PATH; set PSPF_REQUIRE_VALKEY=1 to fail instead");
        }
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        final ValkeyServer server = context.getStore(NAMESPACE).remove("server", ValkeyServer.class);
        if (server != null) {
            server.close();
        }
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context) {
        return parameter.getParameter().getType() == ValkeyServer.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
        ExtensionContext c = context;
        while (c != null) {
            final ValkeyServer server = c.getStore(NAMESPACE).get("server", ValkeyServer.class);
            if (server != null) {
                return server;
            }
            c = c.getParent().orElse(null);
        }
        throw new IllegalStateException("No server started for " + context.getDisplayName());
    }
}
