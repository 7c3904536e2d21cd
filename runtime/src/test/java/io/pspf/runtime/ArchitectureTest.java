package io.pspf.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Keeps the engine independent: {@code runtime} must not reach the DSL module, SQLite, Lettuce, Kafka's network
 * clients or any of Kafka Streams' internal packages. The check reads every main source file of the module, so a
 * fully qualified reference in code is caught as well as an import.
 */
class ArchitectureTest {
    private static final List<String> FORBIDDEN = List.of(
        "io.pspf.streams",                                   // compat-api (the DSL and Kafka-facing classes)
        "org.sqlite",                                        // state-sqlite
        "io.lettuce",                                        // the Valkey client
        "org.apache.kafka.clients.admin",                    // Kafka's network clients
        "org.apache.kafka.clients.producer.KafkaProducer",
        "org.apache.kafka.clients.consumer.KafkaConsumer",
        "org.apache.kafka.clients.NetworkClient",
        "org.apache.kafka.streams.processor.internals",      // Kafka Streams' runtime: API types only
        "org.apache.kafka.streams.kstream.internals",
        "org.apache.kafka.streams.state.internals",
        "java.net.Socket");

    /**
     * Kafka's window value classes live in an internal package, yet windowed keys must be exactly these classes so
     * that {@code Windowed.equals} works in users' tests; they are plain values with no runtime behind them.
     */
    private static final List<String> ALLOWED = List.of(
        "org.apache.kafka.streams.kstream.internals.TimeWindow",
        "org.apache.kafka.streams.kstream.internals.SessionWindow",
        "org.apache.kafka.streams.kstream.internals.UnlimitedWindow");

    @Test
    void runtimeSourcesReferenceNoForbiddenPackage() throws IOException {
        final Path sources = Paths.get("src", "main", "java");
        assertTrue(Files.isDirectory(sources), "run from the runtime module: " + sources.toAbsolutePath());
        final List<String> violations = new ArrayList<>();
        final int[] files = {0};
        try (Stream<Path> walk = Files.walk(sources)) {
            walk.filter(p -> p.toString().endsWith(".java")).forEach(file -> {
                files[0]++;
                final List<String> lines;
                try {
                    lines = Files.readAllLines(file, StandardCharsets.UTF_8);
                } catch (final IOException e) {
                    throw new IllegalStateException(e);
                }
                for (int i = 0; i < lines.size(); i++) {
                    String line = lines.get(i);
                    for (final String allowed : ALLOWED) {
                        line = line.replace(allowed, "");
                    }
                    for (final String forbidden : FORBIDDEN) {
                        if (line.contains(forbidden)) {
                            violations.add(sources.relativize(file) + ":" + (i + 1) + " references " + forbidden);
                        }
                    }
                }
            });
        }
        assertTrue(files[0] > 10, "expected to scan the runtime sources, found " + files[0] + " files");
        assertEquals(List.of(), violations, "runtime must stay free of these dependencies");
    }
}
