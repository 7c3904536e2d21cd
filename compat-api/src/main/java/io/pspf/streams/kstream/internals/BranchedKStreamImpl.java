package io.pspf.streams.kstream.internals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.BranchedKStream;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Predicate;

/**
 * {@code KStream#split()}: one splitter node whose children are the branches, tried in the order they were
 * added; a record goes to the first branch whose predicate accepts it. A branch is named after the splitter plus
 * its {@link Branched} name or its position (from 1; the default branch is {@code 0}); that name is also its key
 * in the returned map, which holds the branches not consumed by a {@code Branched.withConsumer} chain.
 */
final class BranchedKStreamImpl<K, V> implements BranchedKStream<K, V> {
    private final KStreamImpl<K, V> source;
    private final String splitName;
    private final List<Predicate<? super K, ? super V>> predicates = new ArrayList<>();
    private final List<String> childNames = new ArrayList<>();
    private final String[] defaultChild = new String[1];
    private final Map<String, KStream<K, V>> result = new HashMap<>();
    private int index = 1;

    BranchedKStreamImpl(final KStreamImpl<K, V> source, final String splitName) {
        this.source = source;
        this.splitName = splitName;
        final org.apache.kafka.streams.processor.api.ProcessorSupplier<K, V, K, V> splitter =
            () -> StatelessProcessors.<K, V>branch(predicates, childNames, defaultChild[0]).get();
        source.builder.write(g -> g.addProcessor(splitName, splitter, source.name));
    }

    @Override
    public BranchedKStream<K, V> branch(final Predicate<? super K, ? super V> predicate) {
        return branch(predicate, ConfigAccess.plainBranch());
    }

    @Override
    public BranchedKStream<K, V> branch(final Predicate<? super K, ? super V> predicate, final Branched<K, V> branched) {
        final String childName = addBranch(branched, Integer.toString(index));
        predicates.add(predicate);
        childNames.add(childName);
        index++;
        return this;
    }

    @Override
    public Map<String, KStream<K, V>> defaultBranch() {
        return defaultBranch(ConfigAccess.plainBranch());
    }

    @Override
    public Map<String, KStream<K, V>> defaultBranch(final Branched<K, V> branched) {
        defaultChild[0] = addBranch(branched, "0");
        return result;
    }

    @Override
    public Map<String, KStream<K, V>> noDefaultBranch() {
        return result;
    }

    private String addBranch(final Branched<K, V> branched, final String position) {
        final ConfigAccess.BranchedReader<K, V> reader = new ConfigAccess.BranchedReader<>(branched);
        final String childName = splitName + (reader.name() != null ? reader.name() : position);
        source.builder.newProcessorName(KStreamImpl.BRANCH);
        source.builder.write(g -> g.addProcessor(childName, StatelessProcessors.passThrough(), splitName));
        final KStream<K, V> branch = new KStreamImpl<>(source.builder, childName, source.keySerde, source.valueSerde,
            source.repartitionRequired);
        if (reader.chainFunction() != null) {
            final KStream<K, V> chained = reader.chainFunction().apply(branch);
            if (chained != null) {
                result.put(childName, chained);
            }
        } else if (reader.chainConsumer() != null) {
            reader.chainConsumer().accept(branch);
        } else {
            result.put(childName, branch);
        }
        return childName;
    }
}
