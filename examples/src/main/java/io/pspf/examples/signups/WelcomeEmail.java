package io.pspf.examples.signups;

/**
 * The welcome email the demo's topology writes to {@code welcome-emails} for every valid signup, keyed by user id.
 *
 * @param userId  the user welcomed
 * @param to      the address to send it to
 * @param country the user's country
 * @param subject the email's subject line
 */
public record WelcomeEmail(String userId, String to, String country, String subject) {

    /** The welcome email for a valid signup. */
    public static WelcomeEmail of(final Signup signup) {
        return new WelcomeEmail(signup.userId(), signup.email(), signup.country(),
            "Welcome aboard, " + signup.name() + "!");
    }
}
