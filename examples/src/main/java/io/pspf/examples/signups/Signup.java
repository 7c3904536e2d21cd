package io.pspf.examples.signups;

/**
 * A user signing up: the value of the {@code user-signups} topic, written as JSON by {@link JsonSerde} and keyed by
 * {@link #userId()}. Nothing here is checked; {@link SignupValidator} decides whether a signup can be welcomed.
 *
 * @param userId     the user's id, also the record key
 * @param name       the name the user gave
 * @param email      the address to welcome, if it is one
 * @param country    an ISO 3166 two-letter country code; null when the form left it out
 * @param signedUpAt when the user signed up, in epoch milliseconds (also the record timestamp)
 */
public record Signup(String userId, String name, String email, String country, long signedUpAt) {
}
