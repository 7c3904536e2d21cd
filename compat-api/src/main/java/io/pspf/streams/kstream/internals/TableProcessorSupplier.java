package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * The supplier of a table node's processor. Besides making processors it answers for the table: a getter of its
 * values ({@link #view()}, which may force the table to be materialized) and whether it can forward old values
 * ({@link #enableSendingOldValues(boolean)}, asked by children that need them).
 *
 * <p>Both questions are asked while the topology is described, before the processors are made, so the answers
 * are read by the processors when they are created.
 */
interface TableProcessorSupplier<KIn, VIn, KOut, VOut> extends ProcessorSupplier<KIn, VIn, KOut, Change<VOut>> {
    TableGetter.Supplier<KOut, VOut> view();

    /**
     * @param forceMaterialization whether a source table should be materialized to be able to send old values
     * @return whether old values will be sent
     */
    boolean enableSendingOldValues(boolean forceMaterialization);
}
