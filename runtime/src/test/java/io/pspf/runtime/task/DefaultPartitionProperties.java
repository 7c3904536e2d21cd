package io.pspf.runtime.task;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Keyed records land where Kafka's producer puts them: PSPF's default partition for a serialized key equals
 * kafka-clients' own {@code BuiltInPartitioner.partitionForKey} for any key and partition count.
 */
class DefaultPartitionProperties {

    @Property(tries = 1000)
    void defaultPartitionMatchesKafkasProducer(@ForAll @Size(max = 64) final byte[] key,
                                               @ForAll @IntRange(min = 1, max = 1024) final int partitions) {
        final int kafka = BuiltInPartitioner.partitionForKey(key, partitions);
        final int pspf = StreamTask.defaultPartition(key, partitions);
        if (kafka != pspf) {
            throw new AssertionError("key of " + key.length + " bytes over " + partitions + " partitions: Kafka "
                + kafka + ", PSPF " + pspf);
        }
    }
}
