package io.pspf.runtime.task;

import java.util.Set;

import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.InternalFixedKeyRecordFactory;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.pspf.runtime.graph.NodeSpec;

/**
 * A user (or DSL) processor. A failure inside {@code process} goes to the processing exception handler right
 * here, so that when the handler says resume, only this node's work for the record is dropped and the parent
 * goes on forwarding to its other children, as in Kafka Streams.
 */
final class UserProcessorNode extends TaskNode {
    private static final Logger LOG = LoggerFactory.getLogger(UserProcessorNode.class);

    private final Set<String> stores;
    private final Processor<Object, Object, Object, Object> processor;
    private final FixedKeyProcessor<Object, Object, Object> fixedKeyProcessor;
    private ProcessorContextImpl context;

    @SuppressWarnings("unchecked")
    UserProcessorNode(final NodeSpec.Processor spec) {
        super(spec.name());
        this.stores = spec.stores();
        if (spec.supplier() != null) {
            this.processor = (Processor<Object, Object, Object, Object>) spec.supplier().get();
            this.fixedKeyProcessor = null;
        } else {
            this.processor = null;
            this.fixedKeyProcessor = (FixedKeyProcessor<Object, Object, Object>) spec.fixedKeySupplier().get();
        }
    }

    @Override
    Set<String> stores() {
        return stores;
    }

    @Override
    void init(final ProcessorContextImpl context) {
        this.context = context;
        final TaskNode previous = context.currentNode();
        context.setCurrentNode(this);
        try {
            if (processor != null) {
                processor.init(context);
            } else {
                fixedKeyProcessor.init(context);
            }
        } catch (final RuntimeException e) {
            throw new StreamsException(String.format("failed to initialize processor %s", name), e);
        } finally {
            context.setCurrentNode(previous);
        }
    }

    @Override
    void process(final Record<Object, Object> record) {
        try {
            if (processor != null) {
                processor.process(record);
            } else {
                fixedKeyProcessor.process(InternalFixedKeyRecordFactory.create(record));
            }
        } catch (final ClassCastException e) {
            // a plain StreamsException: as in Kafka, the parent processor's handler deals with it
            throw new StreamsException(String.format(
                "ClassCastException invoking processor: %s. Do the Processor's input types match the deserialized types? "
                    + "Check the Serde setup and change the default Serdes in StreamConfig or provide correct Serdes via method parameters. "
                    + "Make sure the Processor can accept the deserialized input of type key: %s, and value: %s.%n"
                    + "Note that although incorrect Serdes are a common cause of error, the cast exception might have another cause "
                    + "(in user code, for example). For example, if a processor wires in a store, but casts the generics incorrectly, "
                    + "a class cast exception could be raised during processing, but the cause would not be wrong Serdes.",
                name,
                record.key() == null ? "unknown because key is null" : record.key().getClass().getName(),
                record.value() == null ? "unknown because value is null" : record.value().getClass().getName()), e);
        } catch (final FailedProcessingException e) {
            throw e;
        } catch (final RuntimeException e) {
            handle(record, e);
        }
    }

    private void handle(final Record<Object, Object> record, final RuntimeException failure) {
        final ProcessingExceptionHandler handler = context.config().processingHandler;
        if (handler == null) {
            // no handler (a global processor in the test driver): the failure propagates as it is
            throw failure;
        }
        final ProcessingExceptionHandler.Response response;
        try {
            response = handler.handleError(context.errorContext(name), record, failure);
        } catch (final RuntimeException fatal) {
            throw new FailedProcessingException("Fatal user code error in processing error callback", name, fatal);
        }
        if (response == null) {
            throw new FailedProcessingException("Fatal user code error in processing error callback", name,
                new NullPointerException("Invalid ProcessingExceptionHandler response."));
        }
        context.task().sendDeadLetters(response.deadLetterQueueRecords());
        if (response.result() == ProcessingExceptionHandler.Result.FAIL) {
            LOG.error("Processing exception handler is set to fail upon a processing error. If you would rather have the "
                + "streaming pipeline continue after a processing error, please set the processing.exception.handler appropriately.");
            throw new FailedProcessingException(name, failure);
        }
        context.task().recordDropped();
    }

    @Override
    void close() {
        final TaskNode previous = context == null ? null : context.currentNode();
        if (context != null) {
            context.setCurrentNode(this);
        }
        try {
            if (processor != null) {
                processor.close();
            } else {
                fixedKeyProcessor.close();
            }
        } catch (final RuntimeException e) {
            throw new StreamsException(String.format("failed to close processor %s", name), e);
        } finally {
            if (context != null) {
                context.setCurrentNode(previous);
            }
        }
    }
}
