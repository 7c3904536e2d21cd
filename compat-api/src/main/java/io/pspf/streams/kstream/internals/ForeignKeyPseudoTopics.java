package io.pspf.streams.kstream.internals;

/**
 * The topic names a foreign-key join hands to the serializers it calls outside of a sink: for the left key inside a
 * subscription or the subscription store's key ({@code -pk}), the foreign key ({@code -fk}) and the left value
 * whose hash is taken ({@code -vh}). They are the subscription topic's name with a suffix, decorated with the
 * application id as Kafka decorates internal topics; the id is learned when the join's processors are initialized.
 */
final class ForeignKeyPseudoTopics {
    private final String subscriptionTopic;
    private volatile String applicationId;

    ForeignKeyPseudoTopics(final String subscriptionTopic) {
        this.subscriptionTopic = subscriptionTopic;
    }

    void applicationId(final String id) {
        this.applicationId = id;
    }

    String primaryKey() {
        return decorated("-pk");
    }

    String foreignKey() {
        return decorated("-fk");
    }

    String valueHash() {
        return decorated("-vh");
    }

    private String decorated(final String suffix) {
        final String id = applicationId;
        if (id == null) {
            throw new org.apache.kafka.streams.errors.TopologyException(
                "there are internal topics and applicationId hasn't been set. Call setApplicationId first");
        }
        return id + "-" + subscriptionTopic + suffix;
    }
}
