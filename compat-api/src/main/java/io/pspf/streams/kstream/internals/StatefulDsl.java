package io.pspf.streams.kstream.internals;

/**
 * The stateful half of the DSL (tables, grouping, aggregation, windows, joins) is the next piece of work
 * (issue #3). Until it lands, those operators fail at topology-building time with this clear error rather than
 * doing something that is not what Kafka Streams does.
 */
public final class StatefulDsl {
    private StatefulDsl() {
    }

    public static UnsupportedOperationException notYet(final String operation) {
        return new UnsupportedOperationException(operation + " is part of PSPF's stateful DSL, which is not built yet "
            + "(tables, grouping, aggregations, windows and joins arrive together); this build supports the Processor API "
            + "and the stateless KStream operators.");
    }
}
