package io.timesformer4j.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The project's one implementation of crash-safe writes: a file goes through a temp file in the same folder,
 * fsync and a rename (readers never see half a file); a folder is built as {@code NAME.tmp/}, fsynced and
 * swapped in through {@code NAME.prev/} so that {@code NAME/} or {@code NAME.prev/} is complete at every moment.
 * It sits in {@code runtime} because {@code model} (a leaf) writes safetensors and model dirs with it too.
 */
public final class AtomicFiles {
    public interface Body {
        void write(FileChannel ch) throws IOException;
    }

    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    private AtomicFiles() {}

    public static void write(Path file, Body body) throws IOException {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        // not Files.createTempFile: that makes the file 0600; CREATE_NEW gives the usual umask permissions
        Path tmp = dir.resolve("." + abs.getFileName() + "." + Long.toHexString(System.nanoTime()) + "-" + COUNTER.incrementAndGet() + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
                body.write(ch);
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    public static void writeString(Path file, String text) throws IOException {
        write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    public static void write(Path file, byte[] bytes) throws IOException {
        write(file, ch -> {
            var buf = java.nio.ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) ch.write(buf);
        });
    }

    /** Appends {@code text} to {@code file} (created if missing) and forces it to disk. */
    public static void append(Path file, String text) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            var buf = java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
    }

    /**
     * Puts the finished folder {@code tmp} in place of {@code dir}: fsync {@code tmp}, rename {@code dir} to
     * {@code prev}, rename {@code tmp} to {@code dir}, fsync the parent, delete {@code prev}. At every moment
     * {@code dir} or {@code prev} is complete.
     */
    public static void replaceDir(Path tmp, Path dir, Path prev) throws IOException {
        fsync(tmp, true);
        if (Files.exists(dir)) {
            deleteTree(prev);
            move(dir, prev);
        }
        move(tmp, dir);
        fsync(dir.toAbsolutePath().getParent(), true);
        deleteTree(prev);
    }

    /** Renames atomically where the file system can. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Forces a file or a folder (its entries) to disk; best effort for folders. */
    public static void fsync(Path p, boolean dir) {
        try (FileChannel ch = FileChannel.open(p, dir ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
            ch.force(true);
        } catch (IOException e) {
            // some file systems cannot fsync a directory; the rename still orders the writes there
        }
    }

    /** Deletes {@code p} and everything below it; nothing when it does not exist. */
    public static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path q : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(q);
        }
    }
}
