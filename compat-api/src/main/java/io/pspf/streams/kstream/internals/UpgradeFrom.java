package io.pspf.streams.kstream.internals;

import java.util.Set;

/** Reads {@code upgrade.from} the way the DSL operators whose wire format changed do. */
final class UpgradeFrom {
    private static final Set<String> BEFORE_3_5 = Set.of("2.4", "2.5", "2.6", "2.7", "2.8", "3.0", "3.1", "3.2", "3.3", "3.4");

    private UpgradeFrom() {
    }

    /** Whether the application upgrades from a version before 3.5, which could not send combined table changes. */
    static boolean before35(final String upgradeFrom) {
        return BEFORE_3_5.contains(upgradeFrom);
    }
}
