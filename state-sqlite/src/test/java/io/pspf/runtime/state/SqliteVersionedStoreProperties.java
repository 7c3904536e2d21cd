package io.pspf.runtime.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Random;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import io.pspf.state.sqlite.SqliteStores;

/**
 * The SQLite versioned store answers every put, delete and get exactly as the in-memory one (which is checked
 * against Kafka's own), including across a commit, close and reopen in the middle of a sequence.
 */
class SqliteVersionedStoreProperties {
    @Property(tries = 60)
    void shouldAnswerAsTheInMemoryVersionedStore(@ForAll final long seed,
                                                 @ForAll @IntRange(min = 1, max = 300) final int steps) {
        SqliteKeyValueStoreTest.deleteDatabase("versioned");
        final Random random = new Random(seed);
        final long retention = 50L + random.nextInt(200);
        final InMemoryVersionedBytesStore reference = new InMemoryVersionedBytesStore("versioned", retention);
        reference.init(new TestStoreContext(), reference);
        KeyValueStore<Bytes, byte[]> sqlite = SqliteStores.versionedStore("versioned", retention).get();
        sqlite.init(new TestStoreContext(), sqlite);
        final int restartAt = random.nextInt(steps + 1);
        try {
            for (int step = 0; step < steps; step++) {
                if (step == restartAt) {
                    sqlite.commit(Map.of(new TopicPartition("app-versioned-changelog", 0), (long) step));
                    sqlite.close();
                    sqlite = SqliteStores.versionedStore("versioned", retention).get();
                    sqlite.init(new TestStoreContext(), sqlite);
                }
                final Bytes key = Bytes.wrap(new byte[] {(byte) random.nextInt(4)});
                final long timestamp = random.nextInt(600);
                final String what = "step " + step + " (seed " + seed + ")";
                switch (random.nextInt(4)) {
                    case 0:
                    case 1: {
                        final byte[] value = random.nextInt(5) == 0 ? null : new byte[] {(byte) step};
                        assertEquals(((InMemoryVersionedBytesStore) reference).put(key, value, timestamp),
                            ((InMemoryVersionedBytesStore) sqlite).put(key, value, timestamp), "put " + what);
                        break;
                    }
                    case 2:
                        assertArrayEquals(reference.delete(key, timestamp),
                            ((InMemoryVersionedBytesStore) sqlite).delete(key, timestamp), "delete " + what);
                        break;
                    default:
                        assertArrayEquals(reference.get(key, timestamp),
                            ((InMemoryVersionedBytesStore) sqlite).get(key, timestamp), "get as of " + what);
                        assertArrayEquals(reference.get(key), sqlite.get(key), "get latest " + what);
                }
            }
            assertEquals(reference.approximateNumEntries(), sqlite.approximateNumEntries());
        } finally {
            reference.close();
            sqlite.close();
        }
    }
}
