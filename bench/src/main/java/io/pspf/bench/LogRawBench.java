package io.pspf.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;

import io.pspf.runtime.backend.Backend;
import io.pspf.runtime.backend.BackendProvider;
import io.pspf.runtime.backend.CommitUnit;
import io.pspf.runtime.backend.RawRecord;

/**
 * The file log's own speed, below any stream processing: how fast records go in (plain appends in batches), come
 * out (reads), and go through commit units (outputs plus offsets, as a task commits) at each fsync level, on the
 * benchmark's data set ({@link Data}: key, a 5-word value, a timestamp). One JVM, one thread, a fresh directory per
 * measurement. Prints {@code RESULT workload=log-<what> engine=pspf records_per_s=<n>} lines and a table.
 *
 * <pre>
 * bash bench/run.sh log-raw [N]        (default N = 1,000,000)
 * </pre>
 */
public final class LogRawBench {
    private static final int BATCH = 1000;
    private static final int PARTITIONS = 4;

    private LogRawBench() {
    }

    public static void main(final String[] args) throws Exception {
        Locale.setDefault(Locale.ROOT);
        final int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        final Data data = new Data(n);
        final List<RawRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            records.add(new RawRecord(null, -1, -1L, data.timestamp(i), data.key(i).getBytes(StandardCharsets.UTF_8),
                data.value(i).getBytes(StandardCharsets.UTF_8), null));
        }
        final List<String[]> rows = new ArrayList<>();
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            final boolean report = round == 1;
            rows.clear();
            for (final String fsync : new String[] {"none", "commit"}) {
                rows.add(measure(report, "append-" + fsync, n, fsync, records, Mode.APPEND));
                rows.add(measure(report, "commit-" + fsync, n, fsync, records, Mode.COMMIT));
            }
            rows.add(measure(report, "read", n, "none", records, Mode.READ));
        }
        System.out.println();
        System.out.printf("File log, N=%,d records of ~%d bytes, %d partitions, batches/units of %d records%n", n,
            records.get(0).key().length + records.get(0).value().length, PARTITIONS, BATCH);
        System.out.printf("%-16s %16s%n", "what", "records/s");
        for (final String[] row : rows) {
            System.out.printf("%-16s %16s%n", row[0], row[1]);
        }
    }

    enum Mode { APPEND, COMMIT, READ }

    private static String[] measure(final boolean report, final String what, final int n, final String fsync,
                                    final List<RawRecord> records, final Mode mode) throws IOException {
        final Path dir = Files.createTempDirectory("pspf-log-bench-");
        try (Backend backend = BackendProvider.open("log:" + dir, Map.of("pspf.log.fsync", fsync,
            "pspf.log.cleaner.interval.ms", "3600000"))) {
            backend.createTopic("t", PARTITIONS);
            if (mode == Mode.READ) {
                write(backend, records, Mode.APPEND);
            }
            final long fenced = backend.fence("bench", "0_0");
            final long t0 = System.nanoTime();
            long count;
            if (mode == Mode.READ) {
                count = 0;
                for (int p = 0; p < PARTITIONS; p++) {
                    long next = 0;
                    List<RawRecord> read;
                    while (!(read = backend.read("t", p, next, BATCH)).isEmpty()) {
                        count += read.size();
                        next = read.get(read.size() - 1).offset() + 1;
                    }
                }
            } else {
                count = mode == Mode.COMMIT ? commit(backend, records, fenced) : write(backend, records, mode);
            }
            final double seconds = (System.nanoTime() - t0) / 1e9;
            if (count != n) {
                throw new IllegalStateException(what + ": " + count + " records, expected " + n);
            }
            final long rate = Math.round(n / seconds);
            if (report) {
                System.out.printf("RESULT workload=log-%s engine=pspf records_per_s=%d%n", what, rate);
            }
            return new String[] {what, String.format("%,d", rate)};
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Plain appends: each batch of BATCH records to one partition, round robin. */
    private static long write(final Backend backend, final List<RawRecord> records, final Mode mode) {
        long count = 0;
        for (int from = 0, b = 0; from < records.size(); from += BATCH, b++) {
            final List<RawRecord> batch = records.subList(from, Math.min(records.size(), from + BATCH));
            backend.append("t", b % PARTITIONS, batch);
            count += batch.size();
        }
        return count;
    }

    /** Commit units of BATCH records spread over the partitions by key hash, with an input offset each. */
    private static long commit(final Backend backend, final List<RawRecord> records, final long epoch) {
        long count = 0;
        for (int from = 0; from < records.size(); from += BATCH) {
            final CommitUnit.Builder unit = CommitUnit.builder("bench", "0_0", epoch);
            final int to = Math.min(records.size(), from + BATCH);
            for (int i = from; i < to; i++) {
                final RawRecord r = records.get(i);
                unit.output("t", (r.key()[r.key().length - 1] & 0x7f) % PARTITIONS, r);
            }
            if (!backend.commit(unit.offset(new TopicPartition("in", 0), to).build()).isCommitted()) {
                throw new IllegalStateException("fenced");
            }
            count += to - from;
        }
        return count;
    }
}
