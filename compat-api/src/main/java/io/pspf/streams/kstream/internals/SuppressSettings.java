package io.pspf.streams.kstream.internals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.streams.kstream.Suppressed;

/**
 * What a {@link Suppressed} asks for, read from Kafka's own objects.
 *
 * <p>Design note: {@code Suppressed.untilTimeLimit} and {@code untilWindowCloses} return Kafka-internal classes
 * ({@code SuppressedInternal}, {@code FinalResultsSuppressionBuilder}, {@code EagerBufferConfigImpl},
 * {@code StrictBufferConfigImpl}) and the public API has no getter for any setting. Their {@code toString} and
 * {@code equals} do not reveal every setting reliably (the time definition, tombstone dropping), and a
 * {@code Suppressed} cannot be subclassed usefully to read them (Kafka refuses other classes). So this one class
 * reads them by reflection, by class and method name, without linking to Kafka's internals: the public
 * {@code name()}, {@code bufferConfig()} and buffer-config getters, {@code buildFinalResultsSuppression(Duration)}
 * (which turns an until-window-closes into the time-limit form Kafka runs), and the package-private
 * {@code timeToWaitForMoreEvents()}, {@code timeDefinition()} and {@code safeToDropTombstones()} of
 * {@code SuppressedInternal}. A Kafka upgrade that renames them fails here, loudly, at topology-building time.
 */
final class SuppressSettings {
    private static final String PACKAGE = "org.apache.kafka.streams.kstream.internals.suppress.";
    private static final String NAMED = PACKAGE + "NamedSuppressed";
    private static final String INTERNAL = PACKAGE + "SuppressedInternal";
    private static final String FINAL_RESULTS = PACKAGE + "FinalResultsSuppressionBuilder";

    final String name;
    final long timeLimitMs;
    final boolean windowEndTime;
    final boolean safeToDropTombstones;
    final long maxRecords;
    final long maxBytes;
    final boolean shutDownWhenFull;
    final boolean loggingEnabled;
    final Map<String, String> logConfig;

    private SuppressSettings(final Object internal) {
        this.name = (String) call(internal, "name");
        this.timeLimitMs = ((Duration) call(internal, "timeToWaitForMoreEvents")).toMillis();
        this.windowEndTime = call(internal, "timeDefinition").getClass().getSimpleName().startsWith("WindowEnd");
        this.safeToDropTombstones = (Boolean) call(internal, "safeToDropTombstones");
        final Object bufferConfig = call(internal, "bufferConfig");
        this.maxRecords = (Long) call(bufferConfig, "maxRecords");
        this.maxBytes = (Long) call(bufferConfig, "maxBytes");
        this.shutDownWhenFull = "SHUT_DOWN".equals(String.valueOf(call(bufferConfig, "bufferFullStrategy")));
        this.loggingEnabled = (Boolean) call(bufferConfig, "isLoggingEnabled");
        @SuppressWarnings("unchecked")
        final Map<String, String> config = (Map<String, String>) call(bufferConfig, "logConfig");
        this.logConfig = config;
    }

    /** Whether Kafka takes {@code suppressed} at all (it must be one of its own, named, kinds). */
    static boolean isKafkas(final Suppressed<?> suppressed) {
        return suppressed != null && isA(suppressed, NAMED);
    }

    /** The {@code withName} name of a Kafka {@code Suppressed}, or null. */
    static String nameOf(final Suppressed<?> suppressed) {
        return (String) call(suppressed, "name");
    }

    /** Whether {@code suppressed} is {@code untilWindowCloses}, whose time limit is the upstream grace period. */
    static boolean untilWindowCloses(final Suppressed<?> suppressed) {
        return isA(suppressed, FINAL_RESULTS);
    }

    /** Whether {@code suppressed} is {@code untilTimeLimit}. */
    static boolean untilTimeLimit(final Suppressed<?> suppressed) {
        return isA(suppressed, INTERNAL);
    }

    /** The settings of an {@code untilTimeLimit}. */
    static SuppressSettings ofTimeLimit(final Suppressed<?> suppressed) {
        return new SuppressSettings(suppressed);
    }

    /** The settings of an {@code untilWindowCloses} whose upstream windows have {@code graceMs} of grace. */
    static SuppressSettings ofWindowCloses(final Suppressed<?> suppressed, final long graceMs) {
        try {
            final Method build = suppressed.getClass().getMethod("buildFinalResultsSuppression", Duration.class);
            return new SuppressSettings(build.invoke(suppressed, Duration.ofMillis(graceMs)));
        } catch (final NoSuchMethodException | IllegalAccessException e) {
            throw new IllegalStateException("Cannot read Kafka's Suppressed " + suppressed, e);
        } catch (final InvocationTargetException e) {
            throw rethrown(e);
        }
    }

    private static boolean isA(final Object value, final String className) {
        for (Class<?> type = value.getClass(); type != null; type = type.getSuperclass()) {
            if (type.getName().equals(className)) {
                return true;
            }
            for (final Class<?> implemented : type.getInterfaces()) {
                if (implemented.getName().equals(className)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Calls a no-argument method (public or not) declared by the object's class or one of its superclasses. */
    private static Object call(final Object target, final String method) {
        for (Class<?> type = target.getClass(); type != null; type = type.getSuperclass()) {
            try {
                final Method declared = type.getDeclaredMethod(method);
                declared.setAccessible(true);
                return declared.invoke(target);
            } catch (final NoSuchMethodException e) {
                // look in the superclass
            } catch (final IllegalAccessException e) {
                throw new IllegalStateException("Cannot read " + method + " of Kafka's " + target.getClass().getName(), e);
            } catch (final InvocationTargetException e) {
                throw rethrown(e);
            }
        }
        throw new IllegalStateException("Kafka's " + target.getClass().getName() + " has no " + method + "()");
    }

    private static RuntimeException rethrown(final InvocationTargetException e) {
        final Throwable cause = e.getCause();
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new IllegalStateException(cause);
    }
}
