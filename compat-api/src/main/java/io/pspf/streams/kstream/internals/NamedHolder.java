package io.pspf.streams.kstream.internals;

import org.apache.kafka.streams.kstream.Named;

/** The "no name given" value used by the overloads without a {@link Named}. */
final class NamedHolder extends Named {
    static final Named NONE = new NamedHolder();

    private NamedHolder() {
        super((String) null);
    }
}
