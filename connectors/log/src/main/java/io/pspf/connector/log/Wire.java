package io.pspf.connector.log;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * How the processes sharing a log directory talk (see {@link LogServer}): a request is {@code [int length][byte
 * op][payload]}, a response {@code [int length][byte status][payload]}, in big-endian Java data-stream encoding.
 * Strings are length-prefixed UTF-8 (-1 for null), byte arrays length-prefixed (-1 for null).
 */
final class Wire {
    static final byte CREATE_TOPIC = 1;
    static final byte PARTITIONS = 2;
    static final byte TOPICS = 3;
    static final byte DELETE_TOPIC = 4;
    static final byte APPEND = 5;
    static final byte READ = 6;
    static final byte LOG_START = 7;
    static final byte LOG_END = 8;
    static final byte DELETE_BEFORE = 9;
    static final byte COMMITTED = 10;
    static final byte FENCE = 11;
    static final byte COMMIT = 12;
    static final byte HELLO = 13;

    static final byte OK = 0;
    static final byte BACKEND_ERROR = 1;
    static final byte CONFIG_ERROR = 2;

    private Wire() {
    }

    static void writeString(final DataOutputStream out, final String value) throws IOException {
        writeBytes(out, value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    static String readString(final DataInputStream in) throws IOException {
        final byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeBytes(final DataOutputStream out, final byte[] value) throws IOException {
        if (value == null) {
            out.writeInt(-1);
        } else {
            out.writeInt(value.length);
            out.write(value);
        }
    }

    static byte[] readBytes(final DataInputStream in) throws IOException {
        final int length = in.readInt();
        if (length < 0) {
            return null;
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }

    /** Records of one partition: offset, timestamp, key, value, headers each. */
    static void writeRecords(final DataOutputStream out, final List<RawRecord> records) throws IOException {
        out.writeInt(records.size());
        for (final RawRecord record : records) {
            writeRecord(out, record);
        }
    }

    static List<RawRecord> readRecords(final DataInputStream in, final String topic, final int partition) throws IOException {
        final int count = in.readInt();
        final List<RawRecord> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            records.add(readRecord(in, topic, partition));
        }
        return records;
    }

    private static void writeRecord(final DataOutputStream out, final RawRecord record) throws IOException {
        out.writeLong(record.offset());
        out.writeLong(record.timestamp());
        writeBytes(out, record.key());
        writeBytes(out, record.value());
        final Header[] headers = record.headers().toArray();
        out.writeInt(headers.length);
        for (final Header header : headers) {
            writeString(out, header.key());
            writeBytes(out, header.value());
        }
    }

    private static RawRecord readRecord(final DataInputStream in, final String topic, final int partition) throws IOException {
        final long offset = in.readLong();
        final long timestamp = in.readLong();
        final byte[] key = readBytes(in);
        final byte[] value = readBytes(in);
        final int count = in.readInt();
        final RecordHeaders headers = new RecordHeaders();
        for (int h = 0; h < count; h++) {
            headers.add(readString(in), readBytes(in));
        }
        return new RawRecord(topic, partition, offset, timestamp, key, value, headers);
    }

    static void writeOffsets(final DataOutputStream out, final Map<TopicPartition, Long> offsets) throws IOException {
        out.writeInt(offsets.size());
        for (final Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
            writeString(out, e.getKey().topic());
            out.writeInt(e.getKey().partition());
            out.writeLong(e.getValue());
        }
    }

    static Map<TopicPartition, Long> readOffsets(final DataInputStream in) throws IOException {
        final int count = in.readInt();
        final Map<TopicPartition, Long> offsets = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            offsets.put(new TopicPartition(readString(in), in.readInt()), in.readLong());
        }
        return offsets;
    }

    static void writeUnit(final DataOutputStream out, final CommitUnit unit) throws IOException {
        writeString(out, unit.group());
        out.writeInt(unit.tasks().size());
        for (final Map.Entry<String, Long> task : unit.tasks().entrySet()) {
            writeString(out, task.getKey());
            out.writeLong(task.getValue());
        }
        writeOffsets(out, unit.offsets());
        out.writeInt(unit.outputs().size());
        for (final CommitUnit.Output output : unit.outputs()) {
            writeString(out, output.topic());
            out.writeInt(output.partition());
            writeRecord(out, output.record());
        }
    }

    static CommitUnit readUnit(final DataInputStream in) throws IOException {
        final CommitUnit.Builder unit = CommitUnit.builder(readString(in));
        final int tasks = in.readInt();
        for (int i = 0; i < tasks; i++) {
            unit.task(readString(in), in.readLong());
        }
        readOffsets(in).forEach(unit::offset);
        final int outputs = in.readInt();
        for (int i = 0; i < outputs; i++) {
            final String topic = readString(in);
            final int partition = in.readInt();
            unit.output(topic, partition, readRecord(in, topic, partition));
        }
        return unit.build();
    }
}
