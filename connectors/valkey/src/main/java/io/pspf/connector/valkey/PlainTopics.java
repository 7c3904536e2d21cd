package io.pspf.connector.valkey;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.lettuce.core.StreamMessage;
import io.pspf.runtime.backend.BackendException;
import io.pspf.runtime.backend.RawRecord;

/**
 * Topics kept the way other programs write streams: one record per entry, as field/value pairs, with the IDs the
 * server gives ({@code XADD key * ...}). They are declared in {@value #TOPICS_CONFIG}, as {@code name} (one partition,
 * stream key {@code name}) or {@code name:n} ({@code n} partitions, stream keys {@code name:0} to {@code name:<n-1>}).
 *
 * <p>Reading an entry gives a record whose key is the {@value #KEY_FIELD_CONFIG} field (default {@code key}, absent:
 * null key), whose value is the {@value #VALUE_FIELD_CONFIG} field (default {@code value}), and whose timestamp is the
 * {@value #TIMESTAMP_FIELD_CONFIG} field (default {@code timestamp}, in ms) or else the time in the entry's ID; the
 * other fields become headers. With the value field set to {@code *} the value is the whole entry as a JSON object
 * of strings. Writing does the reverse: key and value fields, headers as further fields, or, with {@code *}, the
 * value's top-level JSON fields.
 *
 * <p>Offsets: entry {@code <ms>-<seq>} has offset {@code ms * 2^20 + seq}. They grow with the IDs but are not dense
 * (consumer lag in records cannot be read off them); a sequence number of 2^20 or more within one millisecond is
 * refused.
 */
final class PlainTopics {
    static final String TOPICS_CONFIG = "pspf.valkey.plain.topics";
    static final String KEY_FIELD_CONFIG = "pspf.valkey.plain.key.field";
    static final String VALUE_FIELD_CONFIG = "pspf.valkey.plain.value.field";
    static final String TIMESTAMP_FIELD_CONFIG = "pspf.valkey.plain.timestamp.field";
    private static final int SEQ_BITS = 20;
    /** The most fields an entry written by PSPF has (the server-side function passes them on in one call). */
    static final int MAX_FIELDS = 1_000;

    private final Map<String, Integer> partitions = new LinkedHashMap<>();
    private final String keyField;
    private final String valueField;
    private final String timestampField;

    PlainTopics(final Map<String, Object> configs) {
        final Object declared = configs.get(TOPICS_CONFIG);
        if (declared != null) {
            for (final String item : declared.toString().split(",")) {
                final String spec = item.trim();
                if (spec.isEmpty()) {
                    continue;
                }
                final int colon = spec.lastIndexOf(':');
                int count = 1;
                String name = spec;
                if (colon >= 0) {
                    name = spec.substring(0, colon);
                    try {
                        count = Integer.parseInt(spec.substring(colon + 1));
                    } catch (final NumberFormatException e) {
                        count = 0;
                    }
                }
                if (name.isEmpty() || count < 1) {
                    throw new ConfigException(TOPICS_CONFIG, declared, "expected a comma-separated list of <topic> or "
                        + "<topic>:<partitions>, not '" + spec + "'");
                }
                partitions.put(name, count);
            }
        }
        keyField = field(configs, KEY_FIELD_CONFIG, "key");
        valueField = field(configs, VALUE_FIELD_CONFIG, "value");
        timestampField = field(configs, TIMESTAMP_FIELD_CONFIG, "timestamp");
    }

    private static String field(final Map<String, Object> configs, final String key, final String otherwise) {
        final Object v = configs.get(key);
        if (v == null) {
            return otherwise;
        }
        if (v.toString().isEmpty()) {
            throw new ConfigException(key, v, "must not be empty");
        }
        return v.toString();
    }

    boolean isPlain(final String topic) {
        return partitions.containsKey(topic);
    }

    int partitions(final String topic) {
        return partitions.getOrDefault(topic, -1);
    }

    Iterable<String> topics() {
        return partitions.keySet();
    }

    String streamKey(final String topic, final int partition) {
        final int count = partitions(topic);
        if (partition < 0 || partition >= count) {
            throw new BackendException("No partition " + partition + " in topic " + topic);
        }
        return count == 1 ? topic : topic + ":" + partition;
    }

    static long offset(final String id) {
        final int dash = id.indexOf('-');
        final long ms = Long.parseLong(id.substring(0, dash));
        final long seq = Long.parseLong(id.substring(dash + 1));
        if (seq >= 1L << SEQ_BITS) {
            throw new BackendException("Entry " + id + " has a sequence number beyond what a PSPF offset holds (2^"
                + SEQ_BITS + " per millisecond)");
        }
        return (ms << SEQ_BITS) | seq;
    }

    static String id(final long offset) {
        return (offset >>> SEQ_BITS) + "-" + (offset & ((1L << SEQ_BITS) - 1));
    }

    /** The record an entry stands for. */
    RawRecord toRecord(final String topic, final int partition, final StreamMessage<byte[], byte[]> entry) {
        final long offset = offset(entry.getId());
        byte[] key = null;
        byte[] value = null;
        long timestamp = offset >>> SEQ_BITS;
        final RecordHeaders headers = new RecordHeaders();
        final boolean whole = valueField.equals("*");
        final Map<String, String> json = whole ? new java.util.LinkedHashMap<>() : null;
        for (final Map.Entry<byte[], byte[]> field : entry.getBody().entrySet()) {
            final String name = new String(field.getKey(), StandardCharsets.UTF_8);
            if (whole) {
                json.put(name, new String(field.getValue(), StandardCharsets.UTF_8));
            }
            if (name.equals(keyField)) {
                key = field.getValue();
            } else if (name.equals(timestampField)) {
                try {
                    timestamp = Long.parseLong(new String(field.getValue(), StandardCharsets.US_ASCII).trim());
                } catch (final NumberFormatException e) {
                    headers.add(name, field.getValue()); // not a time: kept as it is
                }
            } else if (!whole && name.equals(valueField)) {
                value = field.getValue();
            } else if (!whole) {
                headers.add(name, field.getValue());
            }
        }
        if (whole) {
            value = Json.write(json, entry.getId());
        }
        return new RawRecord(topic, partition, offset, timestamp, key, value, headers);
    }

    /** The field/value pairs of the entry a record becomes. */
    List<byte[]> fields(final RawRecord record) {
        final List<byte[]> fields = new ArrayList<>();
        if (record.key() != null) {
            add(fields, keyField, record.key());
        }
        add(fields, timestampField, Long.toString(record.timestamp()).getBytes(StandardCharsets.US_ASCII));
        if (valueField.equals("*")) {
            if (record.value() != null) {
                for (final Map.Entry<String, String> f : Json.readObject(record.value()).entrySet()) {
                    if (f.getKey().equals(keyField) || f.getKey().equals(timestampField)) {
                        continue;
                    }
                    add(fields, f.getKey(), f.getValue().getBytes(StandardCharsets.UTF_8));
                }
            }
        } else if (record.value() != null) {
            add(fields, valueField, record.value());
        }
        for (final Header h : record.headers()) {
            if (!h.key().equals(keyField) && !h.key().equals(valueField) && !h.key().equals(timestampField)) {
                add(fields, h.key(), h.value() == null ? new byte[0] : h.value());
            }
        }
        if (fields.size() / 2 > MAX_FIELDS) {
            // refused here, before a commit unit reaches the server: a call failing half-way would apply half of it
            throw new BackendException("A record for a plain topic becomes an entry of " + fields.size() / 2
                + " fields; at most " + MAX_FIELDS + " are written");
        }
        return fields;
    }

    private static void add(final List<byte[]> fields, final String name, final byte[] value) {
        fields.add(name.getBytes(StandardCharsets.UTF_8));
        fields.add(value);
    }

    /**
     * Entries as JSON objects ({@value #VALUE_FIELD_CONFIG}{@code =*}). A class of its own, so that Jackson (a few
     * hundred classes and an {@code ObjectMapper}) is loaded only by an application that has such a topic.
     */
    private static final class Json {
        private static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {
        }

        /** The fields as one JSON object of strings. */
        static byte[] write(final Map<String, String> fields, final String entryId) {
            final ObjectNode json = MAPPER.createObjectNode();
            fields.forEach(json::put);
            try {
                return MAPPER.writeValueAsBytes(json);
            } catch (final JsonProcessingException e) {
                throw new BackendException("Could not write entry " + entryId + " as JSON", e);
            }
        }

        /** A JSON object's top-level fields: strings as they are, other values as JSON text. */
        static Map<String, String> readObject(final byte[] value) {
            final JsonNode node;
            try {
                node = MAPPER.readTree(value);
            } catch (final java.io.IOException e) {
                throw new BackendException("A record for a plain topic whose entries are JSON objects ("
                    + VALUE_FIELD_CONFIG + "=*) must have a JSON object as value: " + e.getMessage(), e);
            }
            if (node == null || !node.isObject()) {
                throw new BackendException("A record for a plain topic whose entries are JSON objects ("
                    + VALUE_FIELD_CONFIG + "=*) must have a JSON object as value");
            }
            final Map<String, String> fields = new java.util.LinkedHashMap<>();
            for (final Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                final Map.Entry<String, JsonNode> f = it.next();
                fields.put(f.getKey(), f.getValue().isTextual() ? f.getValue().asText() : f.getValue().toString());
            }
            return fields;
        }
    }
}
