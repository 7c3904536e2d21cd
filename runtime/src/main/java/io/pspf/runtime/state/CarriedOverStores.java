package io.pspf.runtime.state;

import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.streams.processor.StateStore;

/**
 * In-memory stores a standby task hands to the active task that follows it on the same instance, as Kafka recycles a
 * standby task's stores when it becomes active: their records stay, and the active task restores only what the
 * changelog holds past them. Persistent stores need none of this, as their files carry their state over.
 *
 * <p>The standby marks each such store {@link Keepable#keepOnClose}, closes its task, and the engine builds the active
 * task's stores inside {@link #building}: a store supplier about to make an in-memory store of a name on offer takes
 * the store on offer instead ({@link #takeOr}), if it is of the very class the supplier makes.
 */
public final class CarriedOverStores {
    /** An in-memory store that can keep its records through {@code close()}, for the next {@code init}. */
    public interface Keepable {
        /** Closing keeps the records until the store is initialized again (after which a close clears as usual). */
        void keepOnClose();
    }

    private static final ThreadLocal<Map<String, StateStore>> OFFERED = new ThreadLocal<>();

    private CarriedOverStores() {
    }

    /**
     * Runs {@code build} with {@code offered} (store name to store) on offer to the suppliers it calls; returns what
     * it built. The stores taken are removed from {@code offered}.
     */
    public static <T> T building(final Map<String, StateStore> offered, final Supplier<T> build) {
        if (offered.isEmpty()) {
            return build.get();
        }
        final Map<String, StateStore> previous = OFFERED.get();
        OFFERED.set(offered);
        try {
            return build.get();
        } finally {
            if (previous == null) {
                OFFERED.remove();
            } else {
                OFFERED.set(previous);
            }
        }
    }

    /**
     * The in-memory store on offer under {@code name} if it is exactly of {@code type} (taken: it is offered once),
     * else a new one from {@code make}.
     */
    static <T extends StateStore> T takeOr(final String name, final Class<T> type, final Supplier<T> make) {
        final Map<String, StateStore> offered = OFFERED.get();
        final StateStore store = offered == null ? null : offered.get(name);
        if (store == null || store.getClass() != type || store.persistent()) {
            return make.get();
        }
        offered.remove(name);
        return type.cast(store);
    }
}
