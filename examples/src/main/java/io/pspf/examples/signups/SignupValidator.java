package io.pspf.examples.signups;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a signup must meet to be welcomed and counted: a user id, an email address that looks like one, and a
 * known two-letter country code. A signup that breaks one goes to the dead-letter topic with the reason.
 */
public final class SignupValidator {
    /** Something@something.tld, with no spaces and one {@code @}: enough to catch typos, not a full RFC 5322 parser. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[A-Za-z]{2,}");
    private static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());

    private SignupValidator() {
    }

    /** Why the signup cannot be accepted, or empty when it can; the first rule broken is reported. */
    public static Optional<String> problem(final Signup signup) {
        if (signup == null) {
            return Optional.of("empty signup");
        }
        if (signup.userId() == null || signup.userId().isBlank()) {
            return Optional.of("missing user id");
        }
        if (signup.email() == null || signup.email().isBlank()) {
            return Optional.of("missing email");
        }
        if (!EMAIL.matcher(signup.email()).matches()) {
            return Optional.of("invalid email '" + signup.email() + "'");
        }
        if (signup.country() == null || signup.country().isBlank()) {
            return Optional.of("missing country");
        }
        if (!COUNTRIES.contains(signup.country())) {
            return Optional.of("unknown country code '" + signup.country() + "'");
        }
        return Optional.empty();
    }

    /** Whether the signup meets every rule. */
    public static boolean isValid(final Signup signup) {
        return problem(signup).isEmpty();
    }
}
