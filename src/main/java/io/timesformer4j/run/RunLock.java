package io.timesformer4j.run;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive OS lock on {@code RUN/.lock} while a process trains into RUN: two processes on one run folder
 * (say {@code --resume} started twice) interleaved their metrics lines and raced on {@code checkpoint.tmp/}.
 * The OS drops the lock when the process dies, so a killed run never leaves a stale lock behind.
 */
public final class RunLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Locks {@code runDir} if it exists (a new run folder is created later and cannot be shared yet). */
    public static RunLock acquire(Path runDir) throws IOException {
        if (!Files.isDirectory(runDir)) return new RunLock(null, null);
        FileChannel ch = FileChannel.open(RunDir.of(runDir).lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            ch.close();
            throw new IOException(runDir + ": another training process is using this run folder; wait for it to finish "
                    + "or stop it first");
        }
        return new RunLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        if (channel == null) return;
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
