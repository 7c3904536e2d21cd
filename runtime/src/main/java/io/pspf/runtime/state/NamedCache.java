package io.pspf.runtime.state;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NavigableSet;
import java.util.TreeSet;

import org.apache.kafka.common.utils.Bytes;

/**
 * The part of the {@link RecordCache} that belongs to one store: entries by key (sorted for range reads), a
 * doubly-linked LRU list for eviction (head is the most recently used, tail the eldest), and the dirty keys in
 * the order they became dirty. This mirrors Kafka Streams' {@code NamedCache}, including when entries move in the
 * LRU list, so that a cache of a given size evicts the same entries in the same order.
 */
final class NamedCache {
    private final String name;
    /** The entries by key; ordered by key only once a range read needs it. */
    private final HashedSortedMap<Node> entries = new HashedSortedMap<>();
    /** The dirty entries, eldest first: a list threaded through the nodes, so that tracking costs no lookups. */
    private Node dirtyHead;
    private Node dirtyTail;
    private RecordCache.DirtyEntryFlushListener listener;
    private Node head;
    private Node tail;
    private long sizeBytes;

    NamedCache(final String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    void setListener(final RecordCache.DirtyEntryFlushListener listener) {
        this.listener = listener;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    int size() {
        return entries.size();
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    CacheEntry get(final Bytes key) {
        if (key == null) {
            return null;
        }
        final Node node = entries.get(key);
        if (node == null) {
            return null;
        }
        touch(node);
        return node.entry;
    }

    /** Reads an entry without marking it recently used. */
    CacheEntry peek(final Bytes key) {
        final Node node = key == null ? null : entries.get(key);
        return node == null ? null : node.entry;
    }

    void put(final Bytes key, final CacheEntry entry) {
        Node node = entries.get(key);
        if (!entry.isDirty() && node != null && node.dirty) {
            throw new IllegalStateException(String.format("Attempting to put a clean entry for key [%s] into NamedCache [%s] "
                + "when it already contains a dirty entry for the same key", key, name));
        }
        if (node != null) {
            sizeBytes -= node.size();
            node.entry = entry;
            touch(node);
        } else {
            node = new Node(key, entry);
            putHead(node);
            entries.put(key, node);
        }
        if (entry.isDirty()) {
            // unlinked first so that the order stays the order in which keys were last dirtied
            unlinkDirty(node);
            appendDirty(node);
        }
        sizeBytes += node.size();
    }

    CacheEntry delete(final Bytes key) {
        final Node node = entries.remove(key);
        if (node == null) {
            return null;
        }
        unlink(node);
        unlinkDirty(node);
        sizeBytes -= node.size();
        return node.entry;
    }

    /** Evicts the least recently used entry, flushing all dirty entries if it was dirty. */
    void evict() {
        if (tail == null) {
            return;
        }
        final Node eldest = tail;
        sizeBytes -= eldest.size();
        unlink(eldest);
        entries.remove(eldest.key);
        if (eldest.entry.isDirty()) {
            flush(eldest);
        }
    }

    void flush() {
        flush(null);
    }

    private void flush(final Node evicted) {
        if (listener == null) {
            throw new IllegalArgumentException("No listener for namespace " + name + " registered with cache");
        }
        if (dirtyHead == null) {
            return;
        }
        final List<RecordCache.DirtyEntry> flushed = new ArrayList<>();
        List<Bytes> deleted = null;
        if (evicted != null) {
            flushed.add(new RecordCache.DirtyEntry(evicted.key, evicted.entry));
            unlinkDirty(evicted);
        }
        // the list is emptied before the listener runs because the listener may write to this cache again
        Node node = dirtyHead;
        dirtyHead = null;
        dirtyTail = null;
        while (node != null) {
            final Node next = node.dirtyNext;
            node.dirty = false;
            node.dirtyPrevious = null;
            node.dirtyNext = null;
            flushed.add(new RecordCache.DirtyEntry(node.key, node.entry));
            node.entry.markClean();
            if (node.entry.value() == null) {
                if (deleted == null) {
                    deleted = new ArrayList<>();
                }
                deleted.add(node.key);
            }
            node = next;
        }
        listener.apply(flushed);
        if (deleted != null) {
            for (final Bytes key : deleted) {
                delete(key);
            }
        }
    }

    /** A snapshot of the keys in [from, to] (either bound may be null for open), in the given direction. */
    Iterator<Bytes> keys(final Bytes from, final boolean fromInclusive, final Bytes to, final boolean toInclusive,
                         final boolean forward) {
        NavigableSet<Bytes> keys = entries.sortedKeys();
        if (from != null && to != null) {
            keys = keys.subSet(from, fromInclusive, to, toInclusive);
        } else if (from != null) {
            keys = keys.tailSet(from, fromInclusive);
        } else if (to != null) {
            keys = keys.headSet(to, toInclusive);
        }
        final TreeSet<Bytes> copy = new TreeSet<>(keys);
        return forward ? copy.iterator() : copy.descendingIterator();
    }

    void clear() {
        entries.clear();
        dirtyHead = null;
        dirtyTail = null;
        head = null;
        tail = null;
        sizeBytes = 0;
    }

    private void appendDirty(final Node node) {
        node.dirty = true;
        node.dirtyPrevious = dirtyTail;
        node.dirtyNext = null;
        if (dirtyTail != null) {
            dirtyTail.dirtyNext = node;
        } else {
            dirtyHead = node;
        }
        dirtyTail = node;
    }

    private void unlinkDirty(final Node node) {
        if (!node.dirty) {
            return;
        }
        if (node.dirtyPrevious != null) {
            node.dirtyPrevious.dirtyNext = node.dirtyNext;
        } else {
            dirtyHead = node.dirtyNext;
        }
        if (node.dirtyNext != null) {
            node.dirtyNext.dirtyPrevious = node.dirtyPrevious;
        } else {
            dirtyTail = node.dirtyPrevious;
        }
        node.dirty = false;
        node.dirtyPrevious = null;
        node.dirtyNext = null;
    }

    private void touch(final Node node) {
        unlink(node);
        putHead(node);
    }

    private void putHead(final Node node) {
        node.next = head;
        node.previous = null;
        if (head != null) {
            head.previous = node;
        }
        head = node;
        if (tail == null) {
            tail = node;
        }
    }

    private void unlink(final Node node) {
        if (node.previous != null) {
            node.previous.next = node.next;
        } else if (head == node) {
            head = node.next;
        }
        if (node.next != null) {
            node.next.previous = node.previous;
        } else if (tail == node) {
            tail = node.previous;
        }
        node.previous = null;
        node.next = null;
    }

    private static final class Node {
        final Bytes key;
        CacheEntry entry;
        Node previous;
        Node next;
        boolean dirty;
        Node dirtyPrevious;
        Node dirtyNext;

        Node(final Bytes key, final CacheEntry entry) {
            this.key = key;
            this.entry = entry;
        }

        long size() {
            // Kafka's estimate: the key, three longs of bookkeeping and the entry
            return key.get().length + 8 + 8 + 8 + entry.size();
        }
    }
}
