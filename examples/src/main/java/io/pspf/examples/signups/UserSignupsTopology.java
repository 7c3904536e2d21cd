package io.pspf.examples.signups;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.kstream.Windowed;
import org.apache.kafka.streams.kstream.WindowedSerdes;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.WindowStore;

import io.pspf.streams.StreamsBuilder;
import io.pspf.streams.Topology;

/**
 * The user-signups application: signups in, checked one by one.
 *
 * <ul>
 *   <li>A signup that breaks a {@link SignupValidator} rule goes to {@value #DLQ_TOPIC} unchanged, with the reason
 *       in the {@value #REASON_HEADER} header.</li>
 *   <li>A valid one gets a {@link WelcomeEmail} on {@value #WELCOME_TOPIC}, and is counted per country in one-minute
 *       tumbling windows of its signup time: the counts are the window store {@value #COUNTS_STORE} (queryable) and
 *       its updates go to {@value #COUNTS_TOPIC}, keyed by the windowed country ({@link #windowedCountrySerde()}).</li>
 * </ul>
 *
 * <p>Every output record carries where its signup was read, in the {@value #SOURCE_PARTITION_HEADER} and
 * {@value #SOURCE_OFFSET_HEADER} headers (and {@value #SOURCE_TOPIC_HEADER}), so that a dead letter can be traced back.
 */
public final class UserSignupsTopology {
    /** The input: {@link Signup}s as JSON, keyed by user id. */
    public static final String SIGNUPS_TOPIC = "user-signups";
    /** Invalid signups, as they came in. */
    public static final String DLQ_TOPIC = "user-signups-dlq";
    /** One {@link WelcomeEmail} per valid signup. */
    public static final String WELCOME_TOPIC = "welcome-emails";
    /** Updates of the count of valid signups per country and minute. */
    public static final String COUNTS_TOPIC = "signups-per-country";
    /** The window store of the counts, for interactive queries. */
    public static final String COUNTS_STORE = "signups-per-country-store";
    /** The counting window: one minute, tumbling, closed as soon as stream time passes its end. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** How long the store keeps a window's count (counted in signup time). */
    public static final Duration RETENTION = Duration.ofDays(7);
    /** Why a signup was dead-lettered (UTF-8). */
    public static final String REASON_HEADER = "pspf.dlq.reason";
    /** The topic the signup was read from (UTF-8). */
    public static final String SOURCE_TOPIC_HEADER = "pspf.source.topic";
    /** The partition the signup was read from (decimal, UTF-8). */
    public static final String SOURCE_PARTITION_HEADER = "pspf.source.partition";
    /** The offset the signup was read from (decimal, UTF-8). */
    public static final String SOURCE_OFFSET_HEADER = "pspf.source.offset";

    private UserSignupsTopology() {
    }

    /** The topology; its serdes are all given here, so the application needs no default serdes. */
    public static Topology build() {
        final Serde<String> strings = Serdes.String();
        final Serde<Signup> signupSerde = JsonSerde.of(Signup.class);
        final StreamsBuilder builder = new StreamsBuilder();

        final KStream<String, Signup> signups = builder
            .stream(SIGNUPS_TOPIC, Consumed.with(strings, signupSerde).withName("read-signups"))
            .processValues(SourceStamp::new, Named.as("stamp-source"));
        final Map<String, KStream<String, Signup>> checked = signups.split(Named.as("signups-"))
            .branch((userId, signup) -> !SignupValidator.isValid(signup), Branched.as("invalid"))
            .defaultBranch(Branched.as("valid"));

        checked.get("signups-invalid")
            .processValues(ReasonStamp::new, Named.as("stamp-reason"))
            .to(DLQ_TOPIC, Produced.with(strings, signupSerde).withName("dead-letter"));

        final KStream<String, Signup> valid = checked.get("signups-valid");
        valid.mapValues(WelcomeEmail::of, Named.as("welcome"))
            .to(WELCOME_TOPIC, Produced.with(strings, JsonSerde.of(WelcomeEmail.class)).withName("send-welcome"));
        valid.groupBy((userId, signup) -> signup.country(), Grouped.with("by-country", strings, signupSerde))
            .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW))
            .count(Named.as("count"), Materialized.<String, Long, WindowStore<Bytes, byte[]>>as(COUNTS_STORE)
                .withKeySerde(strings)
                .withValueSerde(Serdes.Long())
                .withRetention(RETENTION))
            .toStream(Named.as("count-updates"))
            .to(COUNTS_TOPIC, Produced.with(windowedCountrySerde(), Serdes.Long()).withName("write-counts"));
        return builder.build();
    }

    /** The key serde of {@value #COUNTS_TOPIC}: a country and its one-minute window. */
    public static Serde<Windowed<String>> windowedCountrySerde() {
        return WindowedSerdes.timeWindowedSerdeFrom(String.class, WINDOW.toMillis());
    }

    /** A header's value as text, or null when the record has no such header. */
    public static String header(final Headers headers, final String name) {
        final Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    private static FixedKeyRecord<String, Signup> withHeader(final FixedKeyRecord<String, Signup> record,
                                                             final String name, final String value) {
        final Headers headers = new RecordHeaders(record.headers().toArray());
        headers.remove(name);
        headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        return record.withHeaders(headers);
    }

    /** A processor that adds headers to each signup and forwards it. */
    private abstract static class Stamp implements FixedKeyProcessor<String, Signup, Signup> {
        FixedKeyProcessorContext<String, Signup> context;

        @Override
        public void init(final FixedKeyProcessorContext<String, Signup> context) {
            this.context = context;
        }

        @Override
        public void process(final FixedKeyRecord<String, Signup> record) {
            context.forward(stamp(record));
        }

        abstract FixedKeyRecord<String, Signup> stamp(FixedKeyRecord<String, Signup> record);
    }

    /** Stamps each signup with the topic, partition and offset it was read from. */
    private static final class SourceStamp extends Stamp {
        @Override
        FixedKeyRecord<String, Signup> stamp(final FixedKeyRecord<String, Signup> record) {
            FixedKeyRecord<String, Signup> stamped = record;
            final Optional<RecordMetadata> source = context.recordMetadata();
            if (source.isPresent()) {
                stamped = withHeader(stamped, SOURCE_TOPIC_HEADER, source.get().topic());
                stamped = withHeader(stamped, SOURCE_PARTITION_HEADER, Integer.toString(source.get().partition()));
                stamped = withHeader(stamped, SOURCE_OFFSET_HEADER, Long.toString(source.get().offset()));
            }
            return stamped;
        }
    }

    /** Stamps an invalid signup with the reason it was rejected. */
    private static final class ReasonStamp extends Stamp {
        @Override
        FixedKeyRecord<String, Signup> stamp(final FixedKeyRecord<String, Signup> record) {
            return withHeader(record, REASON_HEADER, SignupValidator.problem(record.value()).orElse("rejected"));
        }
    }
}
