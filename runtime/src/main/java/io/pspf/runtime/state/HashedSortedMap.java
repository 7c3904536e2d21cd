package io.pspf.runtime.state;

import java.util.HashMap;
import java.util.NavigableSet;
import java.util.TreeSet;

import org.apache.kafka.common.utils.Bytes;

/**
 * A map of binary keys that answers point reads and writes from a hash table and builds a key-ordered view only
 * when a range read first asks for one. Many stores are only ever read by key (a count, a tumbling-window
 * aggregate, a stream-table join's table); they never pay for keeping a search tree ordered, whose inserts and
 * lookups walk some fifteen scattered nodes with a byte-array comparison at each. Once a range read has happened,
 * the ordered keys are kept up to date whenever a key appears or disappears (an update of a present key costs
 * nothing there), since the store is likely to be ranged again.
 *
 * <p>Not thread-safe, like the stores that use it.
 */
final class HashedSortedMap<V> {
    private final HashMap<Bytes, V> byKey = new HashMap<>();
    private TreeSet<Bytes> sortedKeys;

    V get(final Bytes key) {
        return byKey.get(key);
    }

    boolean containsKey(final Bytes key) {
        return byKey.containsKey(key);
    }

    /** @return the previous value, or null */
    V put(final Bytes key, final V value) {
        final V old = byKey.put(key, value);
        if (old == null && sortedKeys != null) {
            sortedKeys.add(key);
        }
        return old;
    }

    /** @return the removed value, or null */
    V remove(final Bytes key) {
        final V old = byKey.remove(key);
        if (old != null && sortedKeys != null) {
            sortedKeys.remove(key);
        }
        return old;
    }

    int size() {
        return byKey.size();
    }

    boolean isEmpty() {
        return byKey.isEmpty();
    }

    void clear() {
        byKey.clear();
        if (sortedKeys != null) {
            sortedKeys.clear();
        }
    }

    /**
     * The keys in order; a live view, to be read and not written (write through this map instead). The first call
     * sorts the keys; later writes keep them ordered. Values are read with {@link #get}.
     */
    NavigableSet<Bytes> sortedKeys() {
        if (sortedKeys == null) {
            sortedKeys = new TreeSet<>(byKey.keySet());
        }
        return sortedKeys;
    }
}
