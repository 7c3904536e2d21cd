package io.pspf.bench;

import java.util.Random;

/**
 * The deterministic input data set of the Kafka Streams baseline ({@code shared/kafka-baseline/bench/.../Data.java}),
 * reproduced exactly so that figures are comparable.
 *
 * <p>Record {@code i} (0-based): key {@code "key" + K[i]} with {@code K[i]} in [0, 10000); value
 * {@code "word"+W[i][0] + " " + ... + " " + "word"+W[i][4]} with {@code W} in [0, 1000); timestamp
 * {@code T0 + i} ms. All drawn from one {@code java.util.Random(42)} in the order K[i], W[i][0..4] for i = 0..N-1.
 */
public final class Data {
    public static final int DISTINCT_KEYS = 10_000;
    public static final int VOCAB = 1_000;
    public static final int WORDS_PER_VALUE = 5;
    public static final long SEED = 42L;
    public static final long T0 = 1_700_000_000_000L;

    static final String[] KEY_STR = new String[DISTINCT_KEYS];
    static final String[] WORD_STR = new String[VOCAB];

    static {
        for (int i = 0; i < DISTINCT_KEYS; i++) {
            KEY_STR[i] = "key" + i;
        }
        for (int i = 0; i < VOCAB; i++) {
            WORD_STR[i] = "word" + i;
        }
    }

    public final int n;
    private final int[] keys;
    private final short[] words; // n * WORDS_PER_VALUE

    public Data(final int n) {
        this.n = n;
        this.keys = new int[n];
        this.words = new short[n * WORDS_PER_VALUE];
        final Random r = new Random(SEED);
        for (int i = 0; i < n; i++) {
            keys[i] = r.nextInt(DISTINCT_KEYS);
            for (int w = 0; w < WORDS_PER_VALUE; w++) {
                words[i * WORDS_PER_VALUE + w] = (short) r.nextInt(VOCAB);
            }
        }
    }

    public String key(final int i) {
        return KEY_STR[keys[i]];
    }

    /** A new String on every call, as a user's producer would hand the driver (the baseline does the same). */
    public String value(final int i) {
        final StringBuilder sb = new StringBuilder(48);
        final int base = i * WORDS_PER_VALUE;
        for (int w = 0; w < WORDS_PER_VALUE; w++) {
            if (w > 0) {
                sb.append(' ');
            }
            sb.append(WORD_STR[words[base + w]]);
        }
        return sb.toString();
    }

    public long timestamp(final int i) {
        return T0 + i;
    }

    /**
     * How many of the first {@code n} records the stateless topology keeps (those whose key does not end in '7'),
     * drawn from the same generator without keeping the data set.
     */
    public static long statelessOutputs(final int n) {
        final Random r = new Random(SEED);
        long kept = 0;
        for (int i = 0; i < n; i++) {
            if (r.nextInt(DISTINCT_KEYS) % 10 != 7) {
                kept++;
            }
            for (int w = 0; w < WORDS_PER_VALUE; w++) {
                r.nextInt(VOCAB);
            }
        }
        return kept;
    }
}
