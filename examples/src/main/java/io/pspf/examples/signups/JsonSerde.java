package io.pspf.examples.signups;

import java.io.IOException;
import java.util.Objects;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Kafka {@link Serde} that writes values of one class as UTF-8 JSON with Jackson, and reads them back. Null stays
 * null (a tombstone); null fields are left out of the JSON; unknown fields are ignored when reading, so that an older
 * reader accepts a newer writer's records. A record that is not JSON of the class fails with Kafka's
 * {@link SerializationException}, which Kafka Streams hands to its deserialization exception handler.
 *
 * @param <T> the class written, a Java record or a bean Jackson can build
 */
public final class JsonSerde<T> implements Serde<T> {
    /** Thread-safe once configured, so every serde shares it. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
        .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Class<T> type;

    private JsonSerde(final Class<T> type) {
        this.type = Objects.requireNonNull(type, "type");
    }

    /** The serde of {@code type}'s JSON form. */
    public static <T> JsonSerde<T> of(final Class<T> type) {
        return new JsonSerde<>(type);
    }

    @Override
    public Serializer<T> serializer() {
        return (topic, value) -> {
            if (value == null) {
                return null;
            }
            try {
                return MAPPER.writeValueAsBytes(value);
            } catch (final IOException e) {
                throw new SerializationException("Cannot write a " + type.getSimpleName() + " as JSON for topic "
                    + topic, e);
            }
        };
    }

    @Override
    public Deserializer<T> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return MAPPER.readValue(bytes, type);
            } catch (final IOException e) {
                throw new SerializationException("Record of topic " + topic + " is not the JSON of a "
                    + type.getSimpleName(), e);
            }
        };
    }
}
