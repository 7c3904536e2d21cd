package io.pspf.bench;

import java.util.Properties;

/**
 * One of the two engines measured: builds a workload's topology on its own StreamsBuilder / Topology and runs it
 * in its own TopologyTestDriver. The two implementations, {@link KafkaEngine} and {@link PspfEngine}, are the
 * same code line for line, with imports from {@code org.apache.kafka.streams} or {@code io.pspf.streams}.
 */
public interface Engine {

    /** {@code kafka} or {@code pspf}: the name in RESULT lines. */
    String name();

    /**
     * A driver running {@code workload}.
     *
     * @param storeLogging whether the word count's store has change logging (Kafka's default: enabled). With
     *                     logging the drivers also capture the store's changelog topic, which is drained too.
     */
    Session open(Workload workload, Properties config, boolean storeLogging);

    static Engine of(final String name) {
        switch (name) {
            case "kafka":
                return new KafkaEngine("kafka", null);
            case "kafka-inmem":
                return new KafkaEngine("kafka-inmem", "in_memory");
            case "pspf":
                return new PspfEngine("pspf", null);
            default:
                throw new IllegalArgumentException("unknown engine: " + name + " (kafka, kafka-inmem or pspf)");
        }
    }

    /** One driver with its input and output topics. */
    interface Session extends AutoCloseable {
        /** {@code TestInputTopic.pipeInput(key, value, timestampMs)} on topic {@link Workload#IN}. */
        void pipe(String key, String value, long timestampMs);

        /** {@code pipeInput(key, value, timestampMs)} on the table topic {@link Workload#TABLE} (stream-table join). */
        void pipeTable(String key, String value, long timestampMs);

        /**
         * Reads every record waiting in {@link Workload#OUT} with {@code TestOutputTopic.readRecordsToList()} and
         * typed deserializers (String/String or String/Long) into {@code check}, then drains every other topic the
         * driver has captured (changelogs, repartition topics) as raw bytes, so that memory stays bounded.
         *
         * @return the number of records drained from those other topics
         */
        long drain(Check check);

        /** The word count's store ({@link Workload#STORE}) from {@code getKeyValueStore}, or null. */
        org.apache.kafka.streams.state.KeyValueStore<String, Long> store();

        @Override
        void close();
    }
}
