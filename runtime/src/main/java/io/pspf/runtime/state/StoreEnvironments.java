package io.pspf.runtime.state;

import java.util.Map;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Finds the {@link StoreEnvironment} of a store context: the context itself when the engine's context implements
 * it, otherwise a store-local one that takes topic, partition and offset from {@link StateStoreContext#recordMetadata()}
 * (the timestamp is then unknown, -1), logs nothing, and gives each caching store a cache of its own sized by
 * {@code statestore.cache.max.bytes}.
 */
final class StoreEnvironments {
    /** Kafka's default for {@code statestore.cache.max.bytes}. */
    static final long DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024L;

    private StoreEnvironments() {
    }

    /** Counts a put a store skipped as expired, as Kafka's window and session stores do, when the engine runs it. */
    static void recordExpired(final StateStoreContext context) {
        if (context instanceof StoreEnvironment) {
            ((StoreEnvironment) context).recordDropped();
        }
    }

    static StoreEnvironment of(final StateStoreContext context) {
        if (context instanceof StoreEnvironment) {
            return (StoreEnvironment) context;
        }
        return new Local(context);
    }

    /** The changelog topic of a store: {@code <application.id>-<store>-changelog}. */
    static String changelogTopic(final StateStoreContext context, final String storeName) {
        return context.applicationId() + "-" + storeName + "-changelog";
    }

    /** The current record context, never null. */
    static StoreRecordContext current(final StoreEnvironment environment) {
        final StoreRecordContext context = environment.storeRecordContext();
        return context == null ? StoreRecordContext.NONE : context;
    }

    static long cacheMaxBytes(final StateStoreContext context) {
        final Map<String, Object> configs = context.appConfigs();
        Object value = configs == null ? null : configs.get(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG);
        if (value == null && configs != null) {
            value = configs.get("cache.max.bytes.buffering");
        }
        if (value == null) {
            return DEFAULT_CACHE_MAX_BYTES;
        }
        return value instanceof Number ? ((Number) value).longValue() : Long.parseLong(value.toString().trim());
    }

    private static final class Local implements StoreEnvironment {
        private final StateStoreContext context;
        private StoreRecordContext override;

        Local(final StateStoreContext context) {
            this.context = context;
        }

        @Override
        public StoreRecordContext storeRecordContext() {
            if (override != null) {
                return override;
            }
            final RecordMetadata metadata = context.recordMetadata().orElse(null);
            if (metadata == null) {
                return StoreRecordContext.NONE;
            }
            return new StoreRecordContext(-1L, metadata.offset(), metadata.partition(), metadata.topic(), null);
        }

        @Override
        public void setStoreRecordContext(final StoreRecordContext recordContext) {
            this.override = recordContext;
        }
    }
}
