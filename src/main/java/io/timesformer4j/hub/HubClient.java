package io.timesformer4j.hub;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.regex.Pattern;

/**
 * Downloads model files from the Hugging Face Hub into the {@code huggingface_hub} cache, so that Java and
 * Python share one copy of every file.
 *
 * <p>Protocol (as {@code huggingface_hub.file_download}): {@code HEAD {endpoint}/{repo}/resolve/{rev}/{file}}
 * following only relative redirects (renamed repos); the commit from {@code X-Repo-Commit}, the etag from
 * {@code X-Linked-Etag} or {@code ETag} (the sha256 for LFS files, the git blob id otherwise), the size from
 * {@code X-Linked-Size} or {@code Content-Length}; then {@code GET} on the {@code Location} (the CDN for LFS
 * files), sending the token only to the Hub's own host. Cache layout:
 * {@code models--org--name/blobs/<etag>}, {@code snapshots/<commit>/<file>} (relative symbolic links to the
 * blob; a copy where links are not supported), {@code refs/<revision>} (the commit).
 *
 * <p>Downloads go to {@code blobs/<etag>.incomplete}, resume with a {@code Range} request after a dropped
 * connection (here, or in a later run, or one left by Python), are checked against the etag (sha256, or the
 * git blob sha1) and the size, and are renamed into place atomically. Java downloaders of one blob exclude each
 * other with a lock on {@code .locks/models--org--name/<etag>.lock}; Python's {@code filelock} locks the same
 * file with {@code flock}, which does not exclude Java's {@code fcntl} locks on Linux, so against Python the
 * safety is the checksum (a mixed-up partial file fails it and is removed) and the atomic rename of a
 * content-addressed blob.
 *
 * <p>Instances are thread-safe (one {@link HttpClient}, no mutable state).
 */
public final class HubClient {
    /** Weight files a model repo is read from, in order of preference. */
    public static final List<String> WEIGHT_FILES = List.of("model.safetensors", "pytorch_model.bin");
    /** The model config (required). */
    public static final String CONFIG = "config.json";
    /** The preprocessor config (optional). */
    public static final String PREPROCESSOR = "preprocessor_config.json";

    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern GIT_OID = Pattern.compile("[0-9a-f]{40}");
    private static final int MAX_REDIRECTS = 10;
    /** Automatic resumes of one file after a dropped connection, before giving up (a later run resumes too). */
    static final int RESUMES = 3;

    private final HubSettings settings;
    private final HttpClient http;
    private final PrintStream log;
    private final ToLongFunction<Path> freeSpace;

    /** Metadata of one file at one commit ({@code location}: where to GET it). */
    record FileMeta(String file, String commit, String etag, long size, URI location) {}

    /**
     * @param settings endpoint, cache, token, offline
     * @param log      progress and notices (e.g. {@code System.err}); null for none
     */
    public HubClient(HubSettings settings, PrintStream log) {
        this(settings, log, HubClient::usableSpace);
    }

    /** With a free-space probe (tests simulate a full disk with it). */
    HubClient(HubSettings settings, PrintStream log, ToLongFunction<Path> freeSpace) {
        this.settings = settings;
        this.log = log;
        this.freeSpace = freeSpace;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(settings.timeout()).build();
    }

    /** The settings in use. */
    public HubSettings settings() {
        return settings;
    }

    /**
     * A local path for {@code pathOrId}: an existing file or folder as it is, or else a Hub id
     * ({@code org/name[@revision]}) downloaded into the cache with the settings of the environment.
     */
    public static Path resolveModel(String pathOrId, PrintStream log) throws IOException {
        if (!HubId.looksLike(pathOrId)) return Path.of(pathOrId);
        return new HubClient(HubSettings.fromEnvironment(), log).modelOrLocalHint(HubId.parse(pathOrId), pathOrId);
    }

    /** {@link #model}, with "no local path of that name" added to the message (a mistyped folder looks like an id). */
    public Path modelOrLocalHint(HubId id, String asTyped) throws HubException {
        try {
            return model(id);
        } catch (HubException e) {
            throw new HubException(e.getMessage() + " [no local file or folder '" + asTyped + "' either]", e);
        }
    }

    /** {@code $cache/models--org--name}. */
    public Path repoDir(HubId id) {
        return settings.cache().resolve(id.cacheFolder());
    }

    /**
     * The model of {@code id} as a local folder, {@code snapshots/<commit>}: {@code config.json},
     * {@code preprocessor_config.json} when the repo has one, and {@code model.safetensors} or else
     * {@code pytorch_model.bin}. Files already in the cache are not downloaded again. Offline
     * ({@code HF_HUB_OFFLINE}), or when the Hub cannot be reached, the cached snapshot of the revision is used.
     *
     * @throws HubException one line: unknown repo or revision, private or gated (set {@code HF_TOKEN}), not a
     *                      model repo, offline without a cached snapshot, interrupted download, full disk
     */
    public Path model(HubId id) throws HubException {
        if (settings.offline()) {
            Path cached = cachedModel(id);
            if (cached == null) throw new HubException(id + ": offline (HF_HUB_OFFLINE is set) and no cached snapshot "
                    + "in " + repoDir(id) + "; download it once with the Hub reachable");
            return cached;
        }
        FileMeta config;
        try {
            config = meta(id, id.revision(), CONFIG);
        } catch (Unreachable e) {
            Path cached = cachedModel(id);
            if (cached == null) throw new HubException(id + ": cannot reach " + settings.endpoint() + " (" + e.getMessage()
                    + ") and no cached snapshot in " + repoDir(id));
            note(settings.endpoint() + " unreachable (" + e.getMessage() + "); using the cached snapshot "
                    + cached.getFileName());
            return cached;
        }
        if (config == null) throw new HubException(id + ": no config.json at revision " + id.revision()
                + " (not a Transformers model repo)");
        String commit = config.commit();
        List<FileMeta> files = new ArrayList<>();
        files.add(config);
        try {
            FileMeta weights = null;
            for (String w : WEIGHT_FILES) {
                weights = meta(id, commit, w);
                if (weights != null) break;
                markAbsent(id, commit, w);
            }
            if (weights == null) throw new HubException(id + ": no model.safetensors or pytorch_model.bin at commit "
                    + commit);
            files.add(weights);
            FileMeta pre = meta(id, commit, PREPROCESSOR);
            if (pre != null) files.add(pre);
            else markAbsent(id, commit, PREPROCESSOR);
        } catch (Unreachable e) {
            throw new HubException(id + ": lost the connection to " + settings.endpoint() + " (" + e.getMessage() + ")");
        }
        for (FileMeta f : files) fetch(id, f);
        if (!id.revision().equals(commit)) writeRef(id, commit);
        return repoDir(id).resolve("snapshots").resolve(commit);
    }

    /**
     * One file of a repo (any file, e.g. a README) as a path in the snapshot; empty when the file does not
     * exist at that revision.
     */
    public Optional<Path> file(HubId id, String filename) throws HubException {
        if (settings.offline()) {
            String commit = cachedCommit(id);
            Path p = commit == null ? null : repoDir(id).resolve("snapshots").resolve(commit).resolve(filename);
            if (p == null || !Files.exists(p)) throw new HubException(id + "/" + filename
                    + ": offline (HF_HUB_OFFLINE is set) and not in the cache " + repoDir(id));
            return Optional.of(p);
        }
        FileMeta m;
        try {
            m = meta(id, id.revision(), filename);
        } catch (Unreachable e) {
            throw new HubException(id + ": cannot reach " + settings.endpoint() + " (" + e.getMessage() + ")");
        }
        if (m == null) return Optional.empty();
        Path p = fetch(id, m);
        if (!id.revision().equals(m.commit())) writeRef(id, m.commit());
        return Optional.of(p);
    }

    /** The cached snapshot of {@code id}'s revision holding a config and weights, or null. */
    public Path cachedModel(HubId id) {
        String commit = cachedCommit(id);
        if (commit == null) return null;
        Path snap = repoDir(id).resolve("snapshots").resolve(commit);
        if (!Files.isRegularFile(snap.resolve(CONFIG))) return null;
        for (String w : WEIGHT_FILES) if (Files.isRegularFile(snap.resolve(w))) return snap;
        return null;
    }

    private String cachedCommit(HubId id) {
        Path repo = repoDir(id);
        if (GIT_OID.matcher(id.revision()).matches() && Files.isDirectory(repo.resolve("snapshots").resolve(id.revision())))
            return id.revision();
        Path ref = repo.resolve("refs").resolve(id.revision());
        try {
            if (Files.isRegularFile(ref)) {
                String c = Files.readString(ref).trim();
                if (GIT_OID.matcher(c).matches()) return c;
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    // ----------------------------------------------------------------------------------------------------
    // metadata

    /** Thrown when the Hub cannot be reached at all (the caller may fall back to the cache). */
    private static final class Unreachable extends Exception {
        private static final long serialVersionUID = 1L;

        Unreachable(String m) {
            super(m);
        }
    }

    String resolveUrl(HubId id, String revision, String file) {
        String rev = URLEncoder.encode(revision, StandardCharsets.UTF_8).replace("+", "%20");
        StringBuilder path = new StringBuilder();
        for (String seg : file.split("/")) {
            if (path.length() > 0) path.append('/');
            path.append(URLEncoder.encode(seg, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return settings.endpoint() + "/" + id.repo() + "/resolve/" + rev + "/" + path;
    }

    /** HEAD of one file; null when the repo exists but the file does not (404 with an entry error or a commit). */
    FileMeta meta(HubId id, String revision, String file) throws HubException, Unreachable {
        URI uri = URI.create(resolveUrl(id, revision, file));
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .header("Accept-Encoding", "identity").header("User-Agent", "timesformer4j")
                    .timeout(settings.timeout());
            if (settings.token() != null && sameHost(uri)) rb.header("Authorization", "Bearer " + settings.token());
            HttpResponse<Void> r;
            try {
                r = http.send(rb.build(), HttpResponse.BodyHandlers.discarding());
            } catch (HttpConnectTimeoutException | ConnectException e) {
                throw new Unreachable(reason(e));
            } catch (HttpTimeoutException e) {
                throw new Unreachable("no answer within " + settings.timeout().toSeconds() + " s");
            } catch (IOException e) {
                throw new Unreachable(reason(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(id + ": interrupted");
            }
            int code = r.statusCode();
            Optional<String> loc = r.headers().firstValue("Location");
            if (code >= 300 && code < 400 && loc.isPresent()) {
                URI next = uri.resolve(loc.get());
                if (isRelative(loc.get())) {       // a renamed repo: follow, and ask again
                    uri = next;
                    continue;
                }
                return metaOf(id, file, r, next);  // the CDN: the headers of this answer describe the file
            }
            if (code >= 200 && code < 300) return metaOf(id, file, r, uri);
            String err = r.headers().firstValue("X-Error-Code").orElse("");
            if (code == 404) {
                if (err.equals("EntryNotFound") || (err.isEmpty() && r.headers().firstValue("X-Repo-Commit").isPresent()))
                    return null;
                if (err.equals("RevisionNotFound"))
                    throw new HubException(id + ": revision '" + revision + "' not found (no such branch, tag or commit)");
                throw new HubException(id + ": repository not found on " + settings.endpoint()
                        + " (check the id; a private repo also needs HF_TOKEN)");
            }
            if (code == 401 || code == 403) throw accessDenied(id, code, err);
            throw new HubException(id + ": HTTP " + code + " from " + uri);
        }
        throw new HubException(id + ": more than " + MAX_REDIRECTS + " redirects for " + file);
    }

    private HubException accessDenied(HubId id, int code, String err) {
        if (err.equals("RepositoryNotFound"))      // what the Hub answers anonymous requests for unknown and private repos
            return new HubException(id + ": repository not found on " + settings.endpoint() + " (HTTP " + code + "), or private: "
                    + (settings.token() == null ? "check the id, or set HF_TOKEN to a token with read access"
                    : "check the id; the token in HF_TOKEN has no access to it"));
        String what = err.equals("GatedRepo") ? "gated" : "private or gated";
        return new HubException(id + ": HTTP " + code + ", the repository is " + what + " (or does not exist): "
                + (settings.token() == null
                ? "set HF_TOKEN to a token with read access (https://huggingface.co/settings/tokens)"
                : "the token in HF_TOKEN has no access to it (accept the model's terms on its page, or use another token)"));
    }

    private FileMeta metaOf(HubId id, String file, HttpResponse<?> r, URI location) throws HubException {
        var h = r.headers();
        String commit = h.firstValue("X-Repo-Commit").orElse(null);
        String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).map(HubClient::normalizeEtag).orElse(null);
        String size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length")).orElse(null);
        if (commit == null || etag == null || etag.isEmpty() || size == null)
            throw new HubException(id + "/" + file + ": the Hub's answer lacks "
                    + (commit == null ? "X-Repo-Commit" : etag == null || etag.isEmpty() ? "an ETag" : "a size")
                    + " (HF_ENDPOINT " + settings.endpoint() + " is not a Hub, or a proxy strips headers)");
        if (!GIT_OID.matcher(commit).matches())
            throw new HubException(id + "/" + file + ": X-Repo-Commit '" + commit + "' is not a commit sha");
        if (etag.contains("/") || etag.contains("\\") || etag.startsWith("."))
            throw new HubException(id + "/" + file + ": unusable ETag '" + etag + "'");
        try {
            return new FileMeta(file, commit, etag, Long.parseLong(size.trim()), location);
        } catch (NumberFormatException e) {
            throw new HubException(id + "/" + file + ": size '" + size + "' is not a number");
        }
    }

    /** Strips a weak-validator prefix {@code W/} and the quotes, as huggingface_hub does. */
    static String normalizeEtag(String etag) {
        String e = etag.trim();
        if (e.startsWith("W/")) e = e.substring(2);
        return e.replace("\"", "").trim();
    }

    private static boolean isRelative(String location) {
        return URI.create(location.trim()).getHost() == null;
    }

    private boolean sameHost(URI uri) {
        URI ep = URI.create(settings.endpoint());
        return authority(ep).equals(authority(uri));
    }

    private static String authority(URI u) {
        int port = u.getPort() != -1 ? u.getPort() : "http".equalsIgnoreCase(u.getScheme()) ? 80 : 443;
        return (u.getHost() == null ? "" : u.getHost().toLowerCase(Locale.ROOT)) + ":" + port;
    }

    // ----------------------------------------------------------------------------------------------------
    // download into the cache

    /** Makes {@code snapshots/<commit>/<file>} point at the verified blob, downloading it when needed. */
    Path fetch(HubId id, FileMeta m) throws HubException {
        Path repo = repoDir(id);
        Path blob = repo.resolve("blobs").resolve(m.etag());
        Path pointer = repo.resolve("snapshots").resolve(m.commit()).resolve(m.file());
        try {
            if (Files.isRegularFile(pointer) && Files.isRegularFile(blob) && Files.size(blob) == m.size()) return pointer;
            Files.createDirectories(blob.getParent());
            if (!(Files.isRegularFile(blob) && Files.size(blob) == m.size())) download(id, m, blob);
            link(pointer, blob);
            return pointer;
        } catch (HubException e) {
            throw e;
        } catch (IOException e) {
            throw new HubException(id + "/" + m.file() + ": cannot write the cache " + repo + " (" + reason(e) + ")");
        }
    }

    /**
     * Downloads under {@code .locks/models--org--name/<etag>.lock} (the path huggingface_hub locks; its
     * {@code flock} and Java's {@code fcntl} lock do not see each other, but two Java downloaders, threads or
     * processes, do): the second one waits and then finds the blob in place.
     */
    private void download(HubId id, FileMeta m, Path blob) throws HubException, IOException {
        Path lockFile = settings.cache().resolve(".locks").resolve(id.cacheFolder()).resolve(m.etag() + ".lock");
        Files.createDirectories(lockFile.getParent());
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = acquire(ch, id.repo() + "/" + m.file())) {
            if (Files.isRegularFile(blob) && Files.size(blob) == m.size()) return;     // the other downloader finished it
            downloadLocked(id, m, blob);
        }
    }

    private FileLock acquire(FileChannel ch, String label) throws HubException, IOException {
        boolean told = false;
        while (true) {
            try {
                FileLock l = ch.tryLock();
                if (l != null) return l;
            } catch (OverlappingFileLockException e) {
                // held by another thread of this JVM
            }
            if (!told) note("waiting for another download of " + label);
            told = true;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(label + ": interrupted while waiting for another download");
            }
        }
    }

    private void downloadLocked(HubId id, FileMeta m, Path blob) throws HubException, IOException {
        Path partial = blob.resolveSibling(m.etag() + ".incomplete");
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (have > m.size()) {
            Files.delete(partial);
            have = 0;
        }
        long free = freeSpace.applyAsLong(blob.getParent());
        if (free >= 0 && free < m.size() - have) {
            Files.deleteIfExists(partial);
            throw new HubException(id + "/" + m.file() + ": disk full: needs " + mb(m.size() - have) + ", "
                    + mb(free) + " free in " + blob.getParent() + " (nothing written; free space or set HF_HUB_CACHE)");
        }
        String label = id.repo() + "/" + m.file();
        try (Transfer t = Transfer.start(label, m.size(), have, log)) {
            for (int attempt = 0; ; attempt++) {
                try {
                    have = getInto(id, m, partial, t);
                    break;
                } catch (Dropped d) {
                    have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
                    if (attempt >= RESUMES) throw new HubException(label + ": download interrupted after " + mb(have)
                            + " of " + mb(m.size()) + " (" + d.getMessage() + "); run again to resume from "
                            + partial.getFileName());
                    note(label + ": connection lost at " + mb(have) + " (" + d.getMessage() + "), resuming");
                }
            }
        }
        if (have != m.size()) {
            Files.deleteIfExists(partial);
            throw new HubException(label + ": got " + have + " bytes, the Hub said " + m.size() + " (partial file removed)");
        }
        String actual = checksum(partial, m.etag());
        if (actual != null && !actual.equals(m.etag())) {
            Files.deleteIfExists(partial);
            throw new HubException(label + ": checksum mismatch (expected " + m.etag() + ", got " + actual
                    + "); the corrupt download was removed, run again");
        }
        try {
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
    }

    /** A connection that dropped mid-body; what arrived is kept in the {@code .incomplete} file. */
    private static final class Dropped extends Exception {
        private static final long serialVersionUID = 1L;

        Dropped(String m) {
            super(m);
        }
    }

    /** One GET, appending to {@code partial} from its current length; returns the new length. */
    private long getInto(HubId id, FileMeta m, Path partial, Transfer t) throws HubException, Dropped, IOException {
        long have = Files.isRegularFile(partial) ? Files.size(partial) : 0;
        if (have == m.size()) return have;
        URI uri = m.location();
        HttpResponse<InputStream> r = null;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder rb = HttpRequest.newBuilder(uri).GET().header("Accept-Encoding", "identity")
                    .header("User-Agent", "timesformer4j");
            if (have > 0) rb.header("Range", "bytes=" + have + "-");
            // a signed CDN URL needs no token, and the token must not leak to another host
            if (settings.token() != null && sameHost(uri)) rb.header("Authorization", "Bearer " + settings.token());
            try {
                r = http.send(rb.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new Dropped(reason(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new HubException(id + "/" + m.file() + ": interrupted");
            }
            int code = r.statusCode();
            Optional<String> loc = r.headers().firstValue("Location");
            if (code >= 300 && code < 400 && loc.isPresent()) {
                r.body().close();
                uri = uri.resolve(loc.get());
                continue;
            }
            break;
        }
        int code = r.statusCode();
        if (code == 401 || code == 403) {
            r.body().close();
            throw accessDenied(id, code, r.headers().firstValue("X-Error-Code").orElse(""));
        }
        if (code == 416 && have > 0) {             // range not satisfiable: start over
            r.body().close();
            Files.delete(partial);
            t.restart(0);
            throw new Dropped("server refused to resume");
        }
        if (code != 200 && code != 206) {
            r.body().close();
            throw new HubException(id + "/" + m.file() + ": HTTP " + code + " from " + uri);
        }
        boolean append = code == 206 && have > 0;
        if (!append && have > 0) t.restart(0);
        byte[] buf = new byte[1 << 16];
        Stall stall = new Stall(r.body(), settings.downloadTimeout().toMillis());
        try (stall; InputStream in = r.body();
             FileChannel out = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            long written = append ? have : 0;
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (IOException e) {
                    throw new Dropped(stall.fired() ? stall.message() : reason(e));
                }
                if (stall.fired()) throw new Dropped(stall.message());
                stall.progress();
                if (n < 0) break;
                if (written + n > m.size()) throw new HubException(id + "/" + m.file() + ": the server sent more than the "
                        + m.size() + " bytes announced");
                try {
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) out.write(bb);
                } catch (IOException e) {
                    out.close();
                    Files.deleteIfExists(partial);
                    throw new HubException(id + "/" + m.file() + ": cannot write " + partial.getParent() + " ("
                            + reason(e) + "); the partial download was removed");
                }
                written += n;
                t.step(n);
            }
            if (written < m.size()) throw new Dropped("connection closed at " + written + " of " + m.size() + " bytes");
            return written;
        }
    }

    /**
     * Cuts a body that receives nothing for {@code millis} (java.net.http has no read timeout for streamed
     * bodies): closing the stream makes the blocked read return, and the download resumes with a Range request.
     */
    private static final class Stall implements AutoCloseable {
        private final InputStream body;
        private final long millis;
        private volatile long last = System.nanoTime();
        private volatile boolean fired, done;
        private final Thread watchdog;

        Stall(InputStream body, long millis) {
            this.body = body;
            this.millis = millis;
            watchdog = new Thread(this::watch, "hub-download-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }

        private void watch() {
            while (!done) {
                try {
                    Thread.sleep(Math.max(10, Math.min(1000, millis / 4)));
                } catch (InterruptedException e) {
                    return;
                }
                if (!done && (System.nanoTime() - last) / 1_000_000 > millis) {
                    fired = true;
                    try {
                        body.close();
                    } catch (IOException ignored) {
                        // the reader sees the closed stream either way
                    }
                    return;
                }
            }
        }

        void progress() {
            last = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        String message() {
            return "no data for " + millis / 1000.0 + " s (HF_HUB_DOWNLOAD_TIMEOUT)";
        }

        @Override
        public void close() {
            done = true;
            watchdog.interrupt();
        }
    }

    /** The etag-kind checksum of a file: sha256 for a 64-hex etag, the git blob sha1 for a 40-hex one, else null. */
    static String checksum(Path file, String etag) throws IOException {
        MessageDigest md;
        try {
            if (SHA256.matcher(etag).matches()) md = MessageDigest.getInstance("SHA-256");
            else if (GIT_OID.matcher(etag).matches()) {
                md = MessageDigest.getInstance("SHA-1");
                md.update(("blob " + Files.size(file) + "\0").getBytes(StandardCharsets.US_ASCII));
            } else return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static final AtomicLong TEMP_NAMES = new AtomicLong();

    /**
     * A name beside {@code file} that no other writer uses: process, thread and a counter. Two clients in one
     * process (or one thread, twice) writing the same ref or pointer each rename their own temp file; with the
     * process id alone, the second writer's rename found the first one's temp file already moved away.
     */
    static Path tempSibling(Path file) {
        return file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + "."
                + Thread.currentThread().getId() + "." + TEMP_NAMES.incrementAndGet() + ".tmp");
    }

    /** {@code pointer} becomes a relative symbolic link to {@code blob} (a copy where links are unsupported). */
    private static void link(Path pointer, Path blob) throws IOException {
        Files.createDirectories(pointer.getParent());
        Path target = pointer.getParent().relativize(blob);
        Path tmp = tempSibling(pointer);
        try {
            try {
                Files.createSymbolicLink(tmp, target);
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeRef(HubId id, String commit) throws HubException {
        Path ref = repoDir(id).resolve("refs").resolve(id.revision());
        try {
            if (Files.isRegularFile(ref) && Files.readString(ref).trim().equals(commit)) return;
            Files.createDirectories(ref.getParent());
            Path tmp = tempSibling(ref);
            try {
                Files.writeString(tmp, commit);          // no newline, as huggingface_hub writes it
                Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new HubException(id + ": cannot write " + ref + " (" + reason(e) + ")");
        }
    }

    /** The empty {@code .no_exist/<commit>/<file>} marker huggingface_hub keeps for files known absent. */
    private void markAbsent(HubId id, String commit, String file) {
        Path marker = repoDir(id).resolve(".no_exist").resolve(commit).resolve(file);
        try {
            Files.createDirectories(marker.getParent());
            if (!Files.exists(marker)) Files.createFile(marker);
        } catch (IOException e) {
            // only a cache hint; a read-only cache is still usable
        }
    }

    private void note(String s) {
        if (log != null) log.println("note: " + s);
    }

    private static long usableSpace(Path dir) {
        try {
            return Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            return -1;
        }
    }

    static String mb(long bytes) {
        if (bytes < 1 << 20) return String.format(Locale.ROOT, "%.1f kB", bytes / 1024.0);
        return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1 << 20));
    }

    private static String reason(Throwable e) {
        String m = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException n) return n.getFile() + ": no such file or directory";
        if (e instanceof java.nio.file.AccessDeniedException a) return a.getFile() + ": permission denied";
        if ((m == null || m.isBlank()) && e.getCause() != null && e.getCause() != e) return reason(e.getCause());
        if ((m == null || m.isBlank()) && e instanceof ConnectException) return "no connection";
        if (e instanceof java.nio.channels.UnresolvedAddressException) return "host name not resolved (no network or DNS?)";
        if (m == null || m.isBlank()) return e.getClass().getSimpleName();
        return m;
    }
}
