package io.pspf.streams.kstream.internals;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * PSPF's MurmurHash3 (x64, 128 bits) against a published vector and against Kafka Streams' own implementation
 * (test code only), for every tail length and for offsets into a larger array.
 */
class Murmur3Test {
    private static long[] kafka(final byte[] data, final int offset, final int length, final int seed) {
        return org.apache.kafka.streams.state.internals.Murmur3.hash128(data, offset, length, seed);
    }

    @Test
    void publishedVectorWithSeedZero() {
        final byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.US_ASCII);
        // the digest 6c1b07bc7bbc4be347939ac4a93c437a, read as two little-endian longs
        assertArrayEquals(new long[] {0xe34bbc7bbc071b6cL, 0x7a433ca9c49a9347L}, Murmur3.hash128(fox, 0, fox.length, 0));
        assertArrayEquals(new long[] {0L, 0L}, Murmur3.hash128(new byte[0], 0, 0, 0));
    }

    @Test
    void sameAsKafkaForEveryLengthWithKafkasSeed() {
        final Random random = new Random(42);
        for (int length = 0; length <= 130; length++) {
            final byte[] data = new byte[length];
            random.nextBytes(data);
            assertArrayEquals(kafka(data, 0, length, Murmur3.DEFAULT_SEED), Murmur3.hash128(data), "length " + length);
            assertArrayEquals(org.apache.kafka.streams.state.internals.Murmur3.hash128(data), Murmur3.hash128(data),
                "length " + length);
        }
    }

    @Test
    void sameAsKafkaForOffsetsAndSeeds() {
        final Random random = new Random(7);
        final byte[] data = new byte[300];
        random.nextBytes(data);
        for (int i = 0; i < 2000; i++) {
            final int offset = random.nextInt(100);
            final int length = random.nextInt(200);
            final int seed = random.nextInt();
            assertArrayEquals(kafka(data, offset, length, seed), Murmur3.hash128(data, offset, length, seed),
                "offset " + offset + " length " + length + " seed " + seed);
        }
    }

    @Test
    void bytesWithTheHighBitSet() {
        for (int length = 0; length <= 40; length++) {
            final byte[] data = new byte[length];
            java.util.Arrays.fill(data, (byte) 0xff);
            assertArrayEquals(kafka(data, 0, length, Murmur3.DEFAULT_SEED), Murmur3.hash128(data), "length " + length);
        }
    }
}
