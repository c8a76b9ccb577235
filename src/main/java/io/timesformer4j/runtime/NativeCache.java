package io.timesformer4j.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.function.Predicate;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.bytedeco.javacpp.Loader;

/**
 * The JavaCPP cache shared by concurrent JVMs (data-parallel ranks start together): a cross-process lock
 * around extracting and loading the natives, and an atomic extraction of the library folders.
 *
 * <p>JavaCPP's own {@code .lock} in the cache only serialises its extractions with each other. A JVM that is
 * loading does not take it, and the dynamic linker resolves a library's dependencies ({@code $ORIGIN}) from
 * the cache without asking anyone. So one JVM rewriting a cached library (JavaCPP deletes the file, then
 * writes it in place) while another loads it gave "cannot open shared object file" or a SIGBUS in
 * {@code ld.so}. Here:
 * <ul>
 *   <li>the library files are extracted to a temporary name and renamed into place, so a reader sees the
 *       old file or the whole new one, never a missing or half-written one;</li>
 *   <li>a start that has to write anything (extract a file, or let JavaCPP create its links during the
 *       first load) holds an exclusive {@link FileChannel#lock lock} on {@value #LOCK_FILE} in the cache
 *       until its libraries are loaded; concurrent first starts run one after the other;</li>
 *   <li>a start that finds the cache complete for its settings (the {@value #READY_FILE} marker names them,
 *       and every library file is there with its size and time) loads under a shared lock, in parallel with
 *       the others, and writes nothing.</li>
 * </ul>
 */
final class NativeCache {
    static final String LOCK_FILE = ".timesformer4j-natives.lock";
    static final String READY_FILE = ".timesformer4j-natives.ready";
    /** How long a start waits for another process's extraction before it goes on without the lock. */
    private static final long WAIT_MS = Long.getLong("timesformer.natives.lock.wait.ms", 10 * 60 * 1000L);

    private NativeCache() {}

    /** One resource folder to pre-cache, with the file names in it that must be left to JavaCPP. */
    record Folder(String resource, Predicate<String> skip) {}

    /**
     * Runs {@code load} (which loads the libraries) after making sure every library file of {@code folders}
     * is in the cache, under the cross-process lock described above. {@code key} names the settings the
     * cache was completed for (platform, BLAS): another key means another start may still have to write.
     */
    static void prepareAndLoad(List<Folder> folders, String key, Runnable load) throws IOException {
        Path cache = Loader.getCacheDir().toPath();
        boolean layoutKnown = !noSubdir();
        try (Held held = Held.acquire(cache, layoutKnown && key.equals(readMarker(cache)))) {
            if (held.shared && !fresh(cache, folders)) {
                held.close();
                try (Held exclusive = Held.acquire(cache, false)) {
                    extractAndLoad(cache, folders, key, load, layoutKnown);
                }
                return;
            }
            if (held.shared) {
                load.run();
            } else {
                extractAndLoad(cache, folders, key, load, layoutKnown);
            }
        }
    }

    private static void extractAndLoad(Path cache, List<Folder> folders, String key, Runnable load, boolean layoutKnown)
            throws IOException {
        for (Folder f : folders) {
            if (layoutKnown) extract(cache, f);
            else Loader.cacheResources(f.resource());            // JavaCPP's flat layout: its own extraction
        }
        load.run();
        if (layoutKnown) writeMarker(cache, key);
    }

    private static boolean noSubdir() {
        String s = System.getProperty("org.bytedeco.javacpp.cachedir.nosubdir", "false").toLowerCase(java.util.Locale.ROOT);
        return s.equals("true") || s.equals("t") || s.isEmpty();
    }

    /** The regular files directly in a folder of a jar, with where JavaCPP keeps each in the cache. */
    private record Entry(JarFile jar, JarEntry entry, Path target) {}

    /** A folder's files in the jars; {@code exploded} when it is also a plain directory (an IDE class path). */
    private record Listing(List<Entry> entries, boolean exploded) {}

    private static Listing list(Path cache, Folder folder) throws IOException {
        List<Entry> out = new ArrayList<>();
        boolean exploded = false;
        for (URL url : Loader.findResources(NativeCache.class, folder.resource())) {
            URLConnection c = url.openConnection();
            if (!(c instanceof JarURLConnection jc)) {
                exploded = true;
                continue;
            }
            JarFile jar = jc.getJarFile();
            String dir = jc.getEntryName();
            if (!dir.endsWith("/")) dir += "/";
            // JavaCPP's layout: CACHE/<jar file name>/<entry path>
            Path base = cache.resolve(Path.of(jar.getName()).getFileName().toString());
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry je = e.nextElement();
                String name = je.getName();
                if (je.isDirectory() || !name.startsWith(dir)) continue;
                String rest = name.substring(dir.length());
                if (rest.contains("/") || folder.skip().test(rest)) continue;   // headers, cmake files; JavaCPP's links
                out.add(new Entry(jar, je, base.resolve(name)));
            }
        }
        return new Listing(out, exploded);
    }

    /** Whether every library file of the folders is in the cache as JavaCPP wants it (so a load writes nothing). */
    static boolean fresh(Path cache, List<Folder> folders) {
        try {
            for (Folder f : folders) {
                Listing l = list(cache, f);
                if (l.exploded()) return false;
                for (Entry e : l.entries()) {
                    if (!upToDate(e)) return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** JavaCPP's test (Loader.cacheResource): same size, same time, a real file in its own folder (not a link). */
    private static boolean upToDate(Entry e) throws IOException {
        Path t = e.target();
        if (!Files.isRegularFile(t, LinkOption.NOFOLLOW_LINKS)) return false;
        return Files.size(t) == e.entry().getSize() && Files.getLastModifiedTime(t).toMillis() == e.entry().getTime();
    }

    /** Extracts the folder's library files that are missing or stale: to a temporary name, then renamed into place. */
    private static void extract(Path cache, Folder folder) throws IOException {
        Listing l = list(cache, folder);
        if (l.exploded()) Loader.cacheResources(folder.resource());     // not in a jar: JavaCPP's own extraction
        for (Entry e : l.entries()) {
            if (upToDate(e)) continue;
            Path t = e.target();
            Files.createDirectories(t.getParent());
            Path tmp = t.resolveSibling("." + t.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
            try (InputStream in = e.jar().getInputStream(e.entry());
                 OutputStream out = Files.newOutputStream(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                         StandardOpenOption.WRITE)) {
                in.transferTo(out);
            } catch (IOException ex) {
                Files.deleteIfExists(tmp);
                throw ex;
            }
            Files.setLastModifiedTime(tmp, FileTime.fromMillis(e.entry().getTime()));
            Files.move(tmp, t, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static String readMarker(Path cache) {
        try {
            return Files.readString(cache.resolve(READY_FILE), StandardCharsets.UTF_8).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void writeMarker(Path cache, String key) {
        Path m = cache.resolve(READY_FILE);
        Path tmp = cache.resolve(READY_FILE + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.writeString(tmp, key + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, m, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a read-only cache: the next start takes the exclusive lock again, which is only slower
            }
        }
    }

    /** The lock on {@value #LOCK_FILE}, shared or exclusive; none at all when the cache cannot hold a lock file. */
    private static final class Held implements AutoCloseable {
        final boolean shared;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(boolean shared, FileChannel channel, FileLock lock) {
            this.shared = shared;
            this.channel = channel;
            this.lock = lock;
        }

        static Held acquire(Path cache, boolean shared) {
            FileChannel ch;
            try {
                Files.createDirectories(cache);
                ch = FileChannel.open(cache.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            } catch (IOException | RuntimeException e) {
                return new Held(false, null, null);              // a read-only cache: nobody can write it either
            }
            long deadline = System.currentTimeMillis() + WAIT_MS;
            boolean told = false;
            try {
                while (true) {
                    FileLock l = ch.tryLock(0, Long.MAX_VALUE, shared);
                    if (l != null) return new Held(shared, ch, l);
                    long now = System.currentTimeMillis();
                    if (now > deadline) {
                        System.err.printf("warning: another process still holds %s after %d s; loading the native "
                                + "libraries without it%n", cache.resolve(LOCK_FILE), WAIT_MS / 1000);
                        ch.close();
                        return new Held(false, null, null);
                    }
                    if (!told && now > deadline - WAIT_MS + 30_000) {
                        told = true;
                        System.err.println("waiting for another process to finish extracting the native libraries into "
                                + cache + " ...");
                    }
                    Thread.sleep(50);
                }
            } catch (OverlappingFileLockException e) {           // this JVM holds it already (another class loader)
                closeQuietly(ch);
                return new Held(false, null, null);
            } catch (IOException e) {                            // a file system without locks
                closeQuietly(ch);
                return new Held(false, null, null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                closeQuietly(ch);
                return new Held(false, null, null);
            }
        }

        @Override
        public void close() {
            try {
                if (lock != null && lock.isValid()) lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            if (channel != null) closeQuietly(channel);
        }

        private static void closeQuietly(FileChannel ch) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }
}
