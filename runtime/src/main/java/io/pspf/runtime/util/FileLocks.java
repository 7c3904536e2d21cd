package io.pspf.runtime.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;

/**
 * OS file locks held by this JVM, taken so that one holder in the JVM never loses its lock to another's attempt.
 *
 * <p>Design note: the locks are POSIX record locks, which belong to the process: closing <em>any</em> descriptor of a
 * file releases every lock the process holds on it. A second try in the same JVM must therefore not open (and close)
 * a channel on a file the JVM already holds; this class answers that try from its own table instead.
 */
public final class FileLocks {
    private static final Set<Path> HELD = new HashSet<>();

    private FileLocks() {
    }

    /** A held lock; {@link #release()} gives it up once. */
    public static final class Lock {
        private final Path path;
        private final FileChannel channel;
        private final FileLock lock;
        private boolean released;

        private Lock(final Path path, final FileChannel channel, final FileLock lock) {
            this.path = path;
            this.channel = channel;
            this.lock = lock;
        }

        /** Releases the lock and closes its file (the file stays). */
        public void release() {
            synchronized (HELD) {
                if (released) {
                    return;
                }
                released = true;
                HELD.remove(path);
                try {
                    lock.release();
                } catch (final IOException | RuntimeException ignored) {
                    // closing the channel releases it too
                }
                try {
                    channel.close();
                } catch (final IOException ignored) {
                    // nothing left to do
                }
            }
        }
    }

    /**
     * Locks {@code file} (creating it), or returns null when this JVM or another process holds it.
     *
     * @throws IOException when the file cannot be opened
     */
    public static Lock tryLock(final Path file) throws IOException {
        final Path path = file.toAbsolutePath().normalize();
        synchronized (HELD) {
            if (HELD.contains(path)) {
                return null;
            }
            final FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = null;
            try {
                lock = channel.tryLock();
            } catch (final OverlappingFileLockException e) {
                lock = null;
            } finally {
                if (lock == null) {
                    // the JVM holds no lock on this file (the table says so), so closing this descriptor frees nothing
                    channel.close();
                }
            }
            if (lock == null) {
                return null;
            }
            HELD.add(path);
            return new Lock(path, channel, lock);
        }
    }
}
