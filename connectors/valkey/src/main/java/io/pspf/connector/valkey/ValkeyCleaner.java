package io.pspf.connector.valkey;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.StreamMessage;
import io.pspf.runtime.backend.RawRecord;

/**
 * Retention and compaction of PSPF's topics on Valkey, as each topic's {@code cleanup.policy} says (the settings it was
 * created with: its own, over those of its creator's configuration; else Kafka's defaults), every
 * {@code pspf.valkey.cleaner.interval.ms}:
 *
 * <ul>
 *   <li>{@code delete}: records go from the front of a partition, a whole entry at a time, while the entry's newest
 *       record is older than {@code retention.ms}, or while the partition holds more than {@code retention.bytes}
 *       (the bytes of its entries' records, tracked by the server-side functions). Kafka does the same a segment at a
 *       time and never deletes its active segment, which keeps records with old timestamps at least
 *       {@code segment.ms} or until {@code segment.bytes} more were written; here an entry counts as in a closed
 *       segment likewise: when the cleaner saw it at least {@code segment.ms} ago (each pass notes the partition's
 *       end and the time in a sorted set, {@code <p>:{<topic>:<n>}:seen}), or when {@code segment.bytes} were
 *       written after it.</li>
 *   <li>{@code compact}: when at least as many records were written since the last compaction as it kept (Kafka's
 *       dirty ratio of 0.5, counted in records), a copy of the partition is
 *       built that keeps only the newest record of each key (a tombstone, while younger than
 *       {@code delete.retention.ms}); entries keep their IDs, so offsets do not change. The copy takes the stream's
 *       place in one function call, together with whatever was appended meanwhile.</li>
 * </ul>
 *
 * Every instance of every application on the server may run it: compaction of a partition is guarded by a lock key
 * with a time to live, and deleting records only ever moves a partition's start forward.
 */
final class ValkeyCleaner {
    private static final Logger LOG = LoggerFactory.getLogger(ValkeyCleaner.class);
    static final String INTERVAL_MS_CONFIG = "pspf.valkey.cleaner.interval.ms";
    /** Entries per read: at most 8 MB with the largest entries, as the cleaner shares the connection. */
    private static final int PAGE = 16;
    private static final long LOCK_TTL_MS = 600_000;

    private final ValkeyBackend backend;
    private final Map<String, Object> appConfigs;

    /** The settings a topic takes from the configuration of whoever creates it, unless it is given its own. */
    static final java.util.Set<String> TOPIC_KEYS = java.util.Set.of("cleanup.policy", "retention.ms",
        "retention.bytes", "delete.retention.ms", "segment.ms", "segment.bytes");

    ValkeyCleaner(final ValkeyBackend backend, final Map<String, Object> appConfigs) {
        this.backend = backend;
        this.appConfigs = appConfigs;
        policy(Map.of()); // a bad application-level setting fails at start, naming its key
    }

    /**
     * The cleaning settings in the creator's configuration, which a topic created here keeps (with its own on top):
     * as on Kafka, a topic's settings are fixed when it is made, so one application's settings never reach another's
     * topics.
     */
    Map<String, String> inherited() {
        final Policy policy = policy(Map.of());
        final Map<String, String> inherited = new HashMap<>();
        inherited.put("cleanup.policy", policy.delete && policy.compact ? "compact,delete"
            : policy.compact ? "compact" : "delete");
        inherited.put("retention.ms", Long.toString(policy.retentionMs));
        inherited.put("retention.bytes", Long.toString(policy.retentionBytes));
        inherited.put("delete.retention.ms", Long.toString(policy.deleteRetentionMs));
        inherited.put("segment.ms", Long.toString(policy.segmentMs));
        inherited.put("segment.bytes", Long.toString(policy.segmentBytes));
        return inherited;
    }

    /** The cleaning settings of a topic: its own, else the application's, else Kafka's defaults. */
    static final class Policy {
        final boolean delete;
        final boolean compact;
        final long retentionMs;
        final long retentionBytes;
        final long deleteRetentionMs;
        final long segmentMs;
        final long segmentBytes;

        Policy(final boolean delete, final boolean compact, final long retentionMs, final long retentionBytes,
               final long deleteRetentionMs, final long segmentMs, final long segmentBytes) {
            this.delete = delete;
            this.compact = compact;
            this.retentionMs = retentionMs;
            this.retentionBytes = retentionBytes;
            this.deleteRetentionMs = deleteRetentionMs;
            this.segmentMs = segmentMs;
            this.segmentBytes = segmentBytes;
        }
    }

    Policy policy(final Map<String, String> topicConfigs) {
        final String policy = setting(topicConfigs, "cleanup.policy", "delete").toLowerCase(Locale.ROOT);
        boolean delete = false;
        boolean compact = false;
        for (final String part : policy.split(",")) {
            switch (part.trim()) {
                case "delete":
                    delete = true;
                    break;
                case "compact":
                    compact = true;
                    break;
                default:
                    throw new ConfigException("cleanup.policy", policy, "expected delete, compact or both");
            }
        }
        return new Policy(delete, compact, number(topicConfigs, "retention.ms", 7L * 24 * 3600 * 1000),
            number(topicConfigs, "retention.bytes", -1), number(topicConfigs, "delete.retention.ms", 24L * 3600 * 1000),
            number(topicConfigs, "segment.ms", 7L * 24 * 3600 * 1000), number(topicConfigs, "segment.bytes", 1L << 30));
    }

    /**
     * A topic's setting; one it lacks comes from this application's configuration (only topics made before topics
     * kept every setting lack any), else Kafka's default.
     */
    private String setting(final Map<String, String> topicConfigs, final String key, final String otherwise) {
        final String own = topicConfigs.get(key);
        if (own != null) {
            return own;
        }
        final Object app = appConfigs.get(key);
        return app == null ? otherwise : app.toString();
    }

    private long number(final Map<String, String> topicConfigs, final String key, final long otherwise) {
        final String value = setting(topicConfigs, key, Long.toString(otherwise));
        try {
            final long n = Long.parseLong(value.trim());
            if (n < -1) {
                throw new ConfigException(key, value, "must be -1 or more");
            }
            return n;
        } catch (final NumberFormatException e) {
            throw new ConfigException(key, value, "not a whole number");
        }
    }

    /** Applies retention and compaction to every partition of every PSPF topic (plain topics are left alone). */
    /**
     * How old (by the server's clock) the last unit of a gone unit stream must be before a partition forgets the
     * stream's dedup mark: far longer than any pause of a process (7 days).
     */
    static final long FORGET_UNITS_AFTER_MS = 7L * 24 * 3600 * 1000;

    void maintain(final long nowMs) {
        final Map<String, Boolean> streamsGone = new HashMap<>();
        for (final String topic : backend.topics()) {
            if (backend.isPlain(topic)) {
                continue;
            }
            final Policy policy;
            try {
                policy = policy(backend.topicConfigs(topic));
            } catch (final ConfigException e) {
                LOG.warn("Topic {} has a setting the cleaner cannot use ({}); leaving it alone", topic, e.getMessage());
                continue;
            }
            final int partitions = backend.partitions(topic);
            for (int p = 0; p < partitions; p++) {
                if (backend.isCluster()) {
                    forgetFinishedUnitStreams(topic, p, FORGET_UNITS_AFTER_MS, streamsGone);
                }
                if (policy.delete) {
                    applyRetention(topic, p, policy, nowMs);
                }
                if (policy.compact) {
                    compactIfDirty(topic, p, policy, nowMs);
                }
            }
        }
    }

    /**
     * On Valkey Cluster a partition's meta holds, per unit stream that wrote to it, the last unit applied from it
     * ({@code unit:<stream>}, {@code first:<stream>}): the dedup marks of the two-step commits. A unit stream is
     * per committing thread of a process, so a deployment that restarts often would gather such fields without end.
     * Those of streams that are gone (emptied, then expired a day later: no unit of them can come again) are
     * forgotten, each only while it still holds the unit seen here, and only once that unit is older than
     * {@code olderThanMs} by the server's clock: a committer or settler paused while applying a unit of a stream
     * that others finished since still holds it, and must find it applied when it wakes. (A server that evicts keys,
     * any {@code maxmemory-policy} but {@code noeviction}, may also drop an emptied stream before its day is up.)
     *
     * @param gone per unit stream, whether it is gone (filled in, so that a pass asks once per stream)
     * @return how many streams were forgotten
     */
    int forgetFinishedUnitStreams(final String topic, final int partition, final long olderThanMs,
                                  final Map<String, Boolean> gone) {
        final byte[] metaKey = backend.partitionKeys(topic, partition)[1];
        final List<byte[]> forget = new java.util.ArrayList<>();
        forget.add(ValkeyBackend.bytes(Long.toString(olderThanMs)));
        io.lettuce.core.ScanCursor cursor = io.lettuce.core.ScanCursor.INITIAL;
        do {
            final io.lettuce.core.ScanCursor from = cursor;
            final io.lettuce.core.MapScanCursor<byte[], byte[]> page = backend.retrying("scan the units of "
                + topic + "-" + partition, c -> c.hscan(metaKey, from, io.lettuce.core.ScanArgs.Builder.matches("unit:*")
                .limit(500)));
            for (final Map.Entry<byte[], byte[]> field : page.getMap().entrySet()) {
                final byte[] stream = java.util.Arrays.copyOfRange(field.getKey(), "unit:".length(),
                    field.getKey().length);
                final Boolean isGone = gone.computeIfAbsent(new String(stream, StandardCharsets.ISO_8859_1),
                    s -> backend.retrying("check a unit stream", c -> c.exists(stream)) == 0);
                if (isGone) {
                    forget.add(stream);
                    forget.add(field.getValue());
                }
            }
            cursor = page;
        } while (!cursor.isFinished());
        if (forget.size() == 1) {
            return 0;
        }
        final Long forgotten = backend.retrying("forget finished unit streams in " + topic + "-" + partition,
            c -> backend.fcall(c, "forget_units", ScriptOutputType.INTEGER, new byte[][] {metaKey},
                forget.toArray(new byte[0][])));
        return forgotten.intValue();
    }

    private long[] meta(final byte[] metaKey) {
        final List<io.lettuce.core.KeyValue<byte[], byte[]>> fields = backend.retrying("read partition meta",
            c -> c.hmget(metaKey, ValkeyBackend.bytes("start"), ValkeyBackend.bytes("end"), ValkeyBackend.bytes("bytes"),
                ValkeyBackend.bytes("compacted"), ValkeyBackend.bytes("recount"), ValkeyBackend.bytes("kept")));
        final long[] values = new long[6];
        for (int i = 0; i < 6; i++) {
            values[i] = fields.get(i).hasValue()
                ? Long.parseLong(new String(fields.get(i).getValue(), StandardCharsets.US_ASCII)) : -1;
        }
        return values;
    }

    /** One page of entries with IDs above {@code 0-after}. */
    private List<StreamMessage<byte[], byte[]>> entriesAfter(final byte[] stream, final long after, final int count) {
        return backend.retrying("read entries to clean", c -> c.xrange(stream,
            Range.from(Range.Boundary.excluding("0-" + after), Range.Boundary.<String>unbounded()), Limit.from(count)));
    }

    private static byte[] field(final StreamMessage<byte[], byte[]> entry, final String name) {
        for (final Map.Entry<byte[], byte[]> f : entry.getBody().entrySet()) {
            if (new String(f.getKey(), StandardCharsets.US_ASCII).equals(name)) {
                return f.getValue();
            }
        }
        throw new IllegalStateException("Entry " + entry.getId() + " has no field " + name);
    }

    private static long entryEnd(final StreamMessage<byte[], byte[]> entry) {
        final String id = entry.getId();
        return Long.parseLong(id.substring(id.indexOf('-') + 1));
    }

    private static int count(final StreamMessage<byte[], byte[]> entry) {
        return Integer.parseInt(new String(field(entry, "n"), StandardCharsets.US_ASCII));
    }

    /** Deletes, from the front, entries past {@code retention.ms} and those beyond {@code retention.bytes}. */
    void applyRetention(final String topic, final int partition, final Policy policy, final long nowMs) {
        final byte[][] keys = backend.partitionKeys(topic, partition);
        final long[] meta = meta(keys[1]);
        if (meta[1] < 0) {
            return;
        }
        final long start = meta[0];
        long total = Math.max(0, meta[2]);
        if (policy.retentionBytes >= 0 && (meta[2] < 0 || meta[4] > 0)) {
            // delete-records (or an older version) left the tracked size out of date: count it once
            final long counted = countBytes(keys[0], start);
            final long read = total;
            backend.retrying("set the size of " + topic + "-" + partition, c -> backend.fcall(c, "set_size",
                ScriptOutputType.INTEGER, new byte[][] {keys[1]}, ValkeyBackend.bytes(Long.toString(counted)),
                ValkeyBackend.bytes(Long.toString(read))));
            total = counted;
        }
        long excessBytes = policy.retentionBytes < 0 ? 0 : total - policy.retentionBytes;
        final long cutoff = policy.retentionMs < 0 ? Long.MIN_VALUE : nowMs - policy.retentionMs;
        if (excessBytes <= 0 && cutoff == Long.MIN_VALUE) {
            return;
        }
        final long closedUpTo = noteAndReadClosedEnd(keys[0], meta[1], nowMs, policy.segmentMs);
        long bytesAfter = total;
        long freed = 0;
        long cut = start;
        long cursor = start;
        scan:
        while (true) {
            final List<StreamMessage<byte[], byte[]>> page = entriesAfter(keys[0], cursor, PAGE);
            if (page.isEmpty()) {
                break;
            }
            for (final StreamMessage<byte[], byte[]> entry : page) {
                final byte[] batch = field(entry, "b");
                bytesAfter -= batch.length;
                // as Kafka never deletes its active segment, an entry goes only once its "segment" is closed
                final boolean closed = entryEnd(entry) <= closedUpTo || bytesAfter >= policy.segmentBytes;
                final boolean expired = cutoff != Long.MIN_VALUE && EntryCodec.maxTimestamp(batch, count(entry)) < cutoff;
                // and by size, as Kafka: only while the partition stays at or above retention.bytes without it
                final boolean oversize = excessBytes >= batch.length;
                if (!closed || !expired && !oversize) {
                    break scan;
                }
                excessBytes -= batch.length;
                freed += batch.length;
                cut = entryEnd(entry);
            }
            cursor = entryEnd(page.get(page.size() - 1));
        }
        if (cut > start) {
            LOG.info("Retention of {}-{}: deleting records below offset {}", topic, partition, cut);
            // the size goes down by what was counted only if this call is the one that moves the start from where the
            // count began (two cleaners, or a repeated call, subtract once)
            final long counted = freed;
            final long upTo = cut;
            backend.retrying("delete records of " + topic + "-" + partition, c -> backend.fcall(c, "delete_before",
                ScriptOutputType.INTEGER, keys, ValkeyBackend.bytes(Long.toString(upTo)),
                ValkeyBackend.bytes(Long.toString(counted)), ValkeyBackend.bytes(Long.toString(start))));
        }
    }

    /** The bytes of a partition's entries from {@code start} on, counted entry by entry. */
    private long countBytes(final byte[] stream, final long start) {
        long bytes = 0;
        long cursor = start;
        while (true) {
            final List<StreamMessage<byte[], byte[]>> page = entriesAfter(stream, cursor, PAGE);
            if (page.isEmpty()) {
                return bytes;
            }
            for (final StreamMessage<byte[], byte[]> entry : page) {
                bytes += field(entry, "b").length;
            }
            cursor = entryEnd(page.get(page.size() - 1));
        }
    }

    /**
     * Notes that the partition ended at {@code end} at {@code nowMs}, and returns the end it had at the last note at
     * least {@code segmentMs} old (-1 if none): the entries up to it were written at least that long ago.
     */
    private long noteAndReadClosedEnd(final byte[] stream, final long end, final long nowMs, final long segmentMs) {
        final String base = new String(stream, StandardCharsets.UTF_8);
        final byte[] seen = ValkeyBackend.bytes(base.substring(0, base.length() - 1) + "seen");
        final List<io.lettuce.core.ScoredValue<byte[]>> notes = backend.retrying("read the partition's end notes",
            c -> c.zrangeWithScores(seen, 0, -1));
        long closed = -1;
        double closedAt = Double.NaN;
        boolean noted = false;
        final List<byte[]> stale = new ArrayList<>();
        for (final io.lettuce.core.ScoredValue<byte[]> note : notes) {
            final long noteEnd = Long.parseLong(new String(note.getValue(), StandardCharsets.US_ASCII));
            if (noteEnd > end) {
                stale.add(note.getValue()); // the topic was deleted and made anew since
                continue;
            }
            noted |= noteEnd == end;
            if (note.getScore() <= nowMs - segmentMs && noteEnd >= closed) {
                closed = noteEnd;
                closedAt = note.getScore();
            }
        }
        for (final io.lettuce.core.ScoredValue<byte[]> note : notes) {
            if (!Double.isNaN(closedAt) && note.getScore() < closedAt) {
                stale.add(note.getValue()); // superseded by a later note that is old enough
            }
        }
        if (!stale.isEmpty()) {
            backend.retrying("prune the partition's end notes", c -> c.zrem(seen, stale.toArray(new byte[0][])));
        }
        if (!noted) {
            backend.retrying("note the partition's end", c -> c.zadd(seen, (double) nowMs,
                ValkeyBackend.bytes(Long.toString(end))));
        }
        return closed;
    }

    /** Compacts a partition if at least as many records were written since its last compaction as it kept. */
    void compactIfDirty(final String topic, final int partition, final Policy policy, final long nowMs) {
        final byte[][] keys = backend.partitionKeys(topic, partition);
        final long[] meta = meta(keys[1]);
        final long start = meta[0];
        final long end = meta[1];
        if (end <= start) {
            return;
        }
        // as Kafka's min.cleanable.dirty.ratio of 0.5, in records: those written since the last compaction against
        // those it kept (offsets below it are sparse, so they do not count)
        final boolean compactedBefore = meta[3] >= start && meta[5] >= 0;
        final long dirty = end - (compactedBefore ? meta[3] : start);
        final long clean = compactedBefore ? meta[5] : 0;
        if (dirty == 0 || dirty < clean) {
            return;
        }
        compact(topic, partition, policy, nowMs, end);
    }

    /** Compacts the records below {@code upTo} (a partition's end when compaction began). */
    void compact(final String topic, final int partition, final Policy policy, final long nowMs, final long upTo) {
        final byte[][] keys = backend.partitionKeys(topic, partition);
        final String base = new String(keys[0], StandardCharsets.UTF_8);
        final String tokenText = UUID.randomUUID().toString();
        final byte[] token = ValkeyBackend.bytes(tokenText);
        // each compaction writes its own copy, which expires if its cleaner dies: a cleaner that lost its lock can
        // only ever drop its own copy
        final byte[] copy = ValkeyBackend.bytes(base.substring(0, base.length() - 1) + "c:" + tokenText);
        final byte[] lock = ValkeyBackend.bytes(base.substring(0, base.length() - 1) + "cleaning");
        final String taken = backend.retrying("lock " + topic + "-" + partition + " for compaction",
            c -> c.set(lock, token, SetArgs.Builder.nx().px(LOCK_TTL_MS)));
        if (!"OK".equals(taken)) {
            return; // another instance compacts it
        }
        // the newest offset of every key below upTo
        final Map<ByteBuffer, Long> latest = new HashMap<>();
        final long start = meta(keys[1])[0];
        forEachRecord(keys[0], topic, partition, start, upTo, record -> {
            if (record.key() != null) {
                latest.put(ByteBuffer.wrap(record.key()), record.offset());
            }
        });
        final long[] kept = new long[2];
        final long tombstoneCutoff = nowMs - policy.deleteRetentionMs;
        long cursor = start;
        while (true) {
            final List<StreamMessage<byte[], byte[]>> page = entriesAfter(keys[0], cursor, PAGE);
            if (page.isEmpty()) {
                break;
            }
            boolean done = false;
            for (final StreamMessage<byte[], byte[]> entry : page) {
                final long entryEnd = entryEnd(entry);
                if (entryEnd > upTo) {
                    done = true;
                    break;
                }
                final List<RawRecord> records = new ArrayList<>();
                EntryCodec.decode(field(entry, "b"), topic, partition, entryEnd, count(entry), start, Integer.MAX_VALUE,
                    records);
                final List<RawRecord> keep = new ArrayList<>();
                for (final RawRecord record : records) {
                    if (record.key() == null) {
                        keep.add(record);
                        continue;
                    }
                    final boolean newest = latest.get(ByteBuffer.wrap(record.key())) == record.offset();
                    if (newest && (record.value() != null || record.timestamp() >= tombstoneCutoff)) {
                        keep.add(record);
                    }
                }
                if (!keep.isEmpty()) {
                    final byte[] batch = EntryCodec.encodeCompacted(keep, entryEnd);
                    final Map<byte[], byte[]> body = new java.util.LinkedHashMap<>();
                    body.put(ValkeyBackend.bytes("n"), ValkeyBackend.bytes(Integer.toString(keep.size())));
                    body.put(ValkeyBackend.bytes("b"), batch);
                    backend.retrying("write the compaction copy", c -> {
                        c.xadd(copy, new io.lettuce.core.XAddArgs().id("0-" + entryEnd), body);
                        return c.pexpire(copy, LOCK_TTL_MS);
                    });
                    kept[0] += keep.size();
                    kept[1] += batch.length;
                }
                cursor = entryEnd;
            }
            if (done) {
                break;
            }
        }
        final long copiedUpTo = cursor;
        final Long swapped = backend.retrying("put the compacted copy of " + topic + "-" + partition + " in place",
            c -> backend.fcall(c, "compact_swap", ScriptOutputType.INTEGER, new byte[][] {keys[0], copy, keys[1], lock},
                token, ValkeyBackend.bytes(Long.toString(copiedUpTo)), ValkeyBackend.bytes(Long.toString(kept[1])),
                ValkeyBackend.bytes(Long.toString(kept[0]))));
        if (swapped == 1L) {
            LOG.info("Compacted {}-{} below offset {}: {} records kept of {} keys", topic, partition, cursor, kept[0],
                latest.size());
        } else {
            LOG.warn("Compaction of {}-{} lost its lock; the copy was dropped", topic, partition);
        }
    }

    private void forEachRecord(final byte[] stream, final String topic, final int partition, final long from,
                               final long upTo, final java.util.function.Consumer<RawRecord> action) {
        long cursor = from;
        while (true) {
            final List<StreamMessage<byte[], byte[]>> page = entriesAfter(stream, cursor, PAGE);
            if (page.isEmpty()) {
                return;
            }
            for (final StreamMessage<byte[], byte[]> entry : page) {
                final long entryEnd = entryEnd(entry);
                if (entryEnd > upTo) {
                    return;
                }
                final List<RawRecord> records = new ArrayList<>();
                EntryCodec.decode(field(entry, "b"), topic, partition, entryEnd, count(entry), from, Integer.MAX_VALUE,
                    records);
                records.forEach(action);
                cursor = entryEnd;
            }
        }
    }
}
