package io.pspf.connector.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.backend.RawRecord;

/**
 * The records of the commit journal, the log backend's write-ahead log. Each is the value of one journal record
 * (the journal is a {@link PartitionLog} like any other, so it inherits framing, checksums and torn-tail recovery):
 *
 * <pre>
 * FENCE   = 1:int8 | group | task | epoch:int64
 * UNIT    = 2:int8 | group | task | epoch:int64
 *           | offset count:int32 | (topic | partition:int32 | next offset:int64)*
 *           | partition count:int32 | (topic | partition:int32 | batch length:int32 | batch)*
 * APPLIED = 3:int8 | unit:int64
 * string  = length:int32 | UTF-8 bytes
 * </pre>
 *
 * A UNIT holds a whole commit unit: its input offsets, and per output partition the records as one
 * {@link RecordBatch} (base offset 0; the partition gives the real offsets when the unit is applied). The unit's id
 * is the journal offset of its UNIT record. APPLIED says that every partition of that unit has its batch.
 */
final class JournalEntry {
    static final byte FENCE = 1;
    static final byte UNIT = 2;
    static final byte APPLIED = 3;

    final byte type;
    final String group;
    final String task;
    final long epoch;
    /** UNIT: the group's new input offsets. */
    final Map<TopicPartition, Long> offsets;
    /** UNIT: the records per output partition, in the unit's order of first appearance. */
    final Map<TopicPartition, List<RawRecord>> outputs;
    /** APPLIED: the unit. */
    final long unit;

    private JournalEntry(final byte type, final String group, final String task, final long epoch,
                         final Map<TopicPartition, Long> offsets, final Map<TopicPartition, List<RawRecord>> outputs,
                         final long unit) {
        this.type = type;
        this.group = group;
        this.task = task;
        this.epoch = epoch;
        this.offsets = offsets;
        this.outputs = outputs;
        this.unit = unit;
    }

    static byte[] fence(final String group, final String task, final long epoch) {
        final byte[] g = utf8(group);
        final byte[] t = utf8(task);
        return ByteBuffer.allocate(1 + 4 + g.length + 4 + t.length + 8)
            .put(FENCE).putInt(g.length).put(g).putInt(t.length).put(t).putLong(epoch).array();
    }

    static byte[] applied(final long unit) {
        return ByteBuffer.allocate(9).put(APPLIED).putLong(unit).array();
    }

    /**
     * A UNIT record's bytes, and where in them each output partition's batch lies. The bytes sit inside room for the
     * journal batch around them ({@link RecordBatch#singleValueBatch}), so that the journal writes them uncopied.
     */
    static final class EncodedUnit {
        /** The journal batch's room, then the unit's bytes from {@link RecordBatch#SINGLE_VALUE_PREFIX}. */
        final byte[] array;
        final int length;
        /** per partition: {start, length} of its batch in {@link #array} */
        final Map<TopicPartition, int[]> batches;

        EncodedUnit(final byte[] array, final int length, final Map<TopicPartition, int[]> batches) {
            this.array = array;
            this.length = length;
            this.batches = batches;
        }

        /** The unit's bytes alone (a copy). */
        byte[] bytes() {
            return java.util.Arrays.copyOfRange(array, RecordBatch.SINGLE_VALUE_PREFIX, RecordBatch.SINGLE_VALUE_PREFIX + length);
        }

        /** The journal batch holding the unit as its one record's value. */
        ByteBuffer journalBatch(final long timestamp) {
            return RecordBatch.singleValueBatch(array, length, timestamp);
        }

        /** The batch of one partition, as a buffer over {@link #array} (position 0, limit its length). */
        ByteBuffer batch(final TopicPartition partition) {
            final int[] at = batches.get(partition);
            return ByteBuffer.wrap(array, at[0], at[1]).slice();
        }
    }

    static byte[] unit(final String group, final String task, final long epoch, final Map<TopicPartition, Long> offsets,
                       final Map<TopicPartition, List<RawRecord>> outputs) {
        return encodeUnit(group, task, epoch, offsets, outputs).bytes();
    }

    static EncodedUnit encodeUnit(final String group, final String task, final long epoch,
                                  final Map<TopicPartition, Long> offsets,
                                  final Map<TopicPartition, List<RawRecord>> outputs) {
        final byte[] g = utf8(group);
        final byte[] t = utf8(task);
        long size = 1 + 4 + g.length + 4 + t.length + 8 + 4 + 4;
        for (final TopicPartition tp : offsets.keySet()) {
            size += 4 + utf8(tp.topic()).length + 4 + 8;
        }
        final List<ByteBuffer> batches = new ArrayList<>();
        for (final Map.Entry<TopicPartition, List<RawRecord>> e : outputs.entrySet()) {
            final ByteBuffer batch = RecordBatch.encode(e.getValue(), 0L, -1L);
            batches.add(batch);
            size += 4 + utf8(e.getKey().topic()).length + 4 + 4 + batch.remaining();
        }
        if (size > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a commit unit of " + size + " bytes is too large for one journal record");
        }
        final ByteBuffer out = ByteBuffer.allocate(RecordBatch.SINGLE_VALUE_PREFIX + (int) size + RecordBatch.SINGLE_VALUE_SUFFIX);
        out.position(RecordBatch.SINGLE_VALUE_PREFIX);
        out.put(UNIT).putInt(g.length).put(g).putInt(t.length).put(t).putLong(epoch);
        out.putInt(offsets.size());
        for (final Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            putString(out, e.getKey().topic());
            out.putInt(e.getKey().partition()).putLong(e.getValue());
        }
        out.putInt(outputs.size());
        int i = 0;
        final Map<TopicPartition, int[]> positions = new LinkedHashMap<>();
        for (final TopicPartition tp : outputs.keySet()) {
            final ByteBuffer batch = batches.get(i++);
            putString(out, tp.topic());
            out.putInt(tp.partition()).putInt(batch.remaining());
            positions.put(tp, new int[] {out.position(), batch.remaining()});
            out.put(batch);
        }
        return new EncodedUnit(out.array(), (int) size, positions);
    }

    /**
     * Decodes a journal record's value.
     *
     * @throws IllegalStateException when it is not one of the three kinds
     */
    static JournalEntry decode(final byte[] value) {
        final ByteBuffer in = ByteBuffer.wrap(value);
        final byte type = in.get();
        switch (type) {
            case FENCE:
                return new JournalEntry(type, getString(in), getString(in), in.getLong(), Map.of(), Map.of(), -1L);
            case APPLIED:
                return new JournalEntry(type, null, null, -1L, Map.of(), Map.of(), in.getLong());
            case UNIT: {
                final String group = getString(in);
                final String task = getString(in);
                final long epoch = in.getLong();
                final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
                final int offsetCount = in.getInt();
                for (int i = 0; i < offsetCount; i++) {
                    final String topic = getString(in);
                    offsets.put(new TopicPartition(topic, in.getInt()), in.getLong());
                }
                final Map<TopicPartition, List<RawRecord>> outputs = new LinkedHashMap<>();
                final int partitionCount = in.getInt();
                for (int i = 0; i < partitionCount; i++) {
                    final String topic = getString(in);
                    final int partition = in.getInt();
                    final int length = in.getInt();
                    final ByteBuffer batch = in.slice(in.position(), length);
                    in.position(in.position() + length);
                    if (RecordBatch.check(batch, 0) != length) {
                        throw new IllegalStateException("the journal's unit holds a bad batch for " + topic + "-" + partition);
                    }
                    final List<RawRecord> records = new ArrayList<>();
                    RecordBatch.read(batch, 0, 0L, Integer.MAX_VALUE, topic, partition, records);
                    outputs.put(new TopicPartition(topic, partition), records);
                }
                return new JournalEntry(type, group, task, epoch, offsets, outputs, -1L);
            }
            default:
                throw new IllegalStateException("unknown journal record type " + type);
        }
    }

    private static byte[] utf8(final String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void putString(final ByteBuffer out, final String s) {
        final byte[] bytes = utf8(s);
        out.putInt(bytes.length).put(bytes);
    }

    private static String getString(final ByteBuffer in) {
        final byte[] bytes = new byte[in.getInt()];
        in.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
