package io.pspf.streams.kstream.internals;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.kstream.ForeachAction;
import org.apache.kafka.streams.kstream.KeyValueMapper;
import org.apache.kafka.streams.kstream.Predicate;
import org.apache.kafka.streams.kstream.ValueMapperWithKey;
import org.apache.kafka.streams.processor.api.ContextualFixedKeyProcessor;
import org.apache.kafka.streams.processor.api.ContextualProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorSupplier;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The stateless DSL operators, one small processor each. Every supplier hands out a fresh processor per call;
 * records keep their timestamp and headers unless the operator changes them.
 */
final class StatelessProcessors {
    private StatelessProcessors() {
    }

    /** filter / filterNot: forwards the records the predicate accepts (or, negated, rejects). */
    static <K, V> ProcessorSupplier<K, V, K, V> filter(final Predicate<? super K, ? super V> predicate, final boolean not) {
        return () -> new ContextualProcessor<K, V, K, V>() {
            @Override
            public void process(final Record<K, V> record) {
                if (not ^ predicate.test(record.key(), record.value())) {
                    context().forward(record);
                }
            }
        };
    }

    /** map / selectKey: replaces key and value with the mapper's pair. */
    static <K, V, KR, VR> ProcessorSupplier<K, V, KR, VR> map(
        final KeyValueMapper<? super K, ? super V, ? extends KeyValue<? extends KR, ? extends VR>> mapper) {
        return () -> new ContextualProcessor<K, V, KR, VR>() {
            @Override
            public void process(final Record<K, V> record) {
                final KeyValue<? extends KR, ? extends VR> pair = mapper.apply(record.key(), record.value());
                if (pair == null) {
                    throw new NullPointerException("The provided KeyValueMapper returned null which is not allowed.");
                }
                context().forward(new Record<>((KR) pair.key, (VR) pair.value, record.timestamp(), record.headers()));
            }
        };
    }

    /** mapValues: replaces the value; the key cannot change. */
    static <K, V, VR> FixedKeyProcessorSupplier<K, V, VR> mapValues(
        final ValueMapperWithKey<? super K, ? super V, ? extends VR> mapper) {
        return () -> new ContextualFixedKeyProcessor<K, V, VR>() {
            @Override
            public void process(final FixedKeyRecord<K, V> record) {
                context().forward(record.withValue(mapper.apply(record.key(), record.value())));
            }
        };
    }

    /** flatMap: one output per pair the mapper returns. */
    static <K, V, KR, VR> ProcessorSupplier<K, V, KR, VR> flatMap(
        final KeyValueMapper<? super K, ? super V, ? extends Iterable<? extends KeyValue<? extends KR, ? extends VR>>> mapper) {
        return () -> new ContextualProcessor<K, V, KR, VR>() {
            @Override
            public void process(final Record<K, V> record) {
                final Iterable<? extends KeyValue<? extends KR, ? extends VR>> pairs = mapper.apply(record.key(), record.value());
                if (pairs == null) {
                    throw new NullPointerException("The provided KeyValueMapper returned null which is not allowed.");
                }
                for (final KeyValue<? extends KR, ? extends VR> pair : pairs) {
                    context().forward(new Record<>((KR) pair.key, (VR) pair.value, record.timestamp(), record.headers()));
                }
            }
        };
    }

    /** flatMapValues: one output per value the mapper returns, each with the input key. */
    static <K, V, VR> FixedKeyProcessorSupplier<K, V, VR> flatMapValues(
        final ValueMapperWithKey<? super K, ? super V, ? extends Iterable<? extends VR>> mapper) {
        return () -> new ContextualFixedKeyProcessor<K, V, VR>() {
            @Override
            public void process(final FixedKeyRecord<K, V> record) {
                for (final VR value : mapper.apply(record.key(), record.value())) {
                    context().forward(record.withValue(value));
                }
            }
        };
    }

    /** peek (forwarding) and foreach (terminal): runs the action for each record. */
    static <K, V> ProcessorSupplier<K, V, K, V> peek(final ForeachAction<? super K, ? super V> action, final boolean forward) {
        return () -> new ContextualProcessor<K, V, K, V>() {
            @Override
            public void process(final Record<K, V> record) {
                action.apply(record.key(), record.value());
                if (forward) {
                    context().forward(record);
                }
            }
        };
    }

    /** merge and other pass-through nodes. */
    static <K, V> ProcessorSupplier<K, V, K, V> passThrough() {
        return () -> new ContextualProcessor<K, V, K, V>() {
            @Override
            public void process(final Record<K, V> record) {
                context().forward(record);
            }
        };
    }

    /** split: the record goes to the child of the first predicate it matches, else to the default child if any. */
    static <K, V> ProcessorSupplier<K, V, K, V> branch(final List<Predicate<? super K, ? super V>> predicates,
                                                       final List<String> childNames, final String defaultChild) {
        return () -> new ContextualProcessor<K, V, K, V>() {
            @Override
            public void process(final Record<K, V> record) {
                for (int i = 0; i < predicates.size(); i++) {
                    if (predicates.get(i).test(record.key(), record.value())) {
                        context().forward(record, childNames.get(i));
                        return;
                    }
                }
                if (defaultChild != null) {
                    context().forward(record, defaultChild);
                }
            }
        };
    }

    /** print: writes {@code [label]: <mapped>} per record to stdout or a file. */
    static <K, V> ProcessorSupplier<K, V, Void, Void> print(final java.io.OutputStream out, final String label,
                                                            final KeyValueMapper<? super K, ? super V, String> mapper) {
        final boolean toSystemOut = out == System.out;
        final PrintWriter writer = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
        return () -> new ContextualProcessor<K, V, Void, Void>() {
            @Override
            public void process(final Record<K, V> record) {
                writer.println(String.format("[%s]: %s", label, mapper.apply(record.key(), record.value())));
                if (toSystemOut) {
                    writer.flush();
                }
            }

            @Override
            public void close() {
                if (toSystemOut) {
                    writer.flush();
                } else {
                    writer.close();
                }
            }
        };
    }
}
