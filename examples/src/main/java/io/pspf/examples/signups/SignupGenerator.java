package io.pspf.examples.signups;

import java.util.Locale;
import java.util.Random;

/**
 * Makes up the demo's signups: numbered users ({@code user-00001}, ...) from six countries, one every
 * {@link #STEP_MS} of signup time, about one in seven of them broken in one of three ways (an email without
 * {@code @}, no country, a country that is not a code). The same first number gives the same signups.
 */
public final class SignupGenerator {
    /** Signup time between two signups: 30 a minute, so a few hundred fill several one-minute windows. */
    public static final long STEP_MS = 2_000;

    private static final String[] NAMES = {"Ana", "Ben", "Chen", "Dara", "Emil", "Fatima", "Gus", "Hana", "Ivan",
        "Jules", "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Yuki"};
    private static final String[] COUNTRIES = {"BR", "DE", "FR", "IN", "JP", "US"};
    private static final int[] COUNTRY_WEIGHTS = {2, 3, 2, 3, 1, 4};

    private final Random random;
    private long nextNumber;
    private long nextTime;

    /**
     * @param firstNumber the number of the first user made (its id is {@code user-<firstNumber>}); also seeds the
     *                    choices, so that a run that continues a topic makes new users rather than the same ones
     * @param firstTime   the signup time of the first user, in epoch milliseconds
     */
    public SignupGenerator(final long firstNumber, final long firstTime) {
        this.random = new Random(firstNumber * 31 + 7);
        this.nextNumber = firstNumber;
        this.nextTime = firstTime;
    }

    /** The next signup, valid or not. */
    public Signup next() {
        final String userId = String.format(Locale.ROOT, "user-%05d", nextNumber++);
        final long signedUpAt = nextTime;
        nextTime += STEP_MS;
        final String name = NAMES[random.nextInt(NAMES.length)];
        String email = name.toLowerCase(Locale.ROOT) + "." + userId.substring(5) + "@example.com";
        String country = pickCountry();
        final int defect = random.nextInt(100);
        if (defect < 6) {
            email = email.replace('@', '.');
        } else if (defect < 10) {
            country = null;
        } else if (defect < 14) {
            country = "Atlantis";
        }
        return new Signup(userId, name, email, country, signedUpAt);
    }

    private String pickCountry() {
        int total = 0;
        for (final int weight : COUNTRY_WEIGHTS) {
            total += weight;
        }
        int pick = random.nextInt(total);
        for (int i = 0; i < COUNTRIES.length; i++) {
            pick -= COUNTRY_WEIGHTS[i];
            if (pick < 0) {
                return COUNTRIES[i];
            }
        }
        throw new IllegalStateException("unreachable");
    }
}
