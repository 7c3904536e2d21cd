package io.pspf.connector.valkey;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one three-primary {@link ValkeyCluster} per test class and passes it to constructors and test methods that
 * take one; skipped or failed without a server binary as {@link ValkeyServerExtension} says.
 */
public final class ValkeyClusterExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ValkeyClusterExtension.class);

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception {
        ValkeyServerExtension.requireServerBinary();
        context.getStore(NAMESPACE).put("cluster", ValkeyCluster.start(3));
    }

    @Override
    public void afterAll(final ExtensionContext context) {
        final ValkeyCluster cluster = context.getStore(NAMESPACE).remove("cluster", ValkeyCluster.class);
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context) {
        return parameter.getParameter().getType() == ValkeyCluster.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
        ExtensionContext c = context;
        while (c != null) {
            final ValkeyCluster cluster = c.getStore(NAMESPACE).get("cluster", ValkeyCluster.class);
            if (cluster != null) {
                return cluster;
            }
            c = c.getParent().orElse(null);
        }
        throw new IllegalStateException("No cluster started for " + context.getDisplayName());
    }
}
