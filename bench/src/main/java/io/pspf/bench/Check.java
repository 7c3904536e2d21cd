package io.pspf.bench;

/**
 * An order-sensitive digest of a topic's output: the number of records, a sum over the values (value lengths for
 * String values, the values for Long values) and a polynomial hash over (key, value, timestamp) in output order.
 * Two engines that produce the same records in the same order give equal digests.
 */
public final class Check {
    private long count;
    private long sum;
    private long hash = 17;

    public void add(final String key, final String value, final long timestamp) {
        count++;
        sum += value == null ? -1 : value.length();
        mix(key == null ? 0 : key.hashCode());
        mix(value == null ? 0 : value.hashCode());
        mix(Long.hashCode(timestamp));
    }

    public void add(final String key, final Long value, final long timestamp) {
        count++;
        sum += value == null ? 0 : value;
        mix(key == null ? 0 : key.hashCode());
        mix(value == null ? 0 : Long.hashCode(value));
        mix(Long.hashCode(timestamp));
    }

    private void mix(final int h) {
        hash = hash * 1_000_003L + h;
    }

    public long count() {
        return count;
    }

    /** {@code outputs=<n> sum=<n> hash=<hex>}: the form compared between engines. */
    public String digest() {
        return "outputs=" + count + " sum=" + sum + " hash=" + Long.toHexString(hash);
    }

    @Override
    public String toString() {
        return digest();
    }
}
