package io.timesformer4j.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Hugging Face Hub on 127.0.0.1 for tests, with the Hub's behaviour on {@code HEAD/GET
 * /{repo}/resolve/{rev}/{file}}: {@code X-Repo-Commit}; git files answered directly with their blob id as
 * {@code ETag} (weak, quoted); LFS files ({@code .safetensors}, {@code .bin}) as a 302 to a second server (the
 * "CDN", another port, so another host for the client) with {@code X-Linked-Etag} = sha256 and
 * {@code X-Linked-Size}; a renamed repo answering with a relative 307; {@code 404 RepositoryNotFound /
 * RevisionNotFound / EntryNotFound}; a private repo answering 401 without the right token; Range requests on
 * the CDN; and, on demand, CDN answers that drop the connection halfway through the body.
 */
final class FakeHub implements AutoCloseable {
    static final String TOKEN = "hf_test_secret";

    record Request(String server, String method, String path, String authorization, String range) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    /** repo -> commit -> file -> bytes. */
    private final Map<String, Map<String, Map<String, byte[]>>> repos = new ConcurrentHashMap<>();
    /** repo -> branch -> commit. */
    private final Map<String, Map<String, String>> branches = new ConcurrentHashMap<>();
    private final Map<String, String> renamed = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    final java.util.Set<String> privateRepos = ConcurrentHashMap.newKeySet();
    /** The next this-many CDN GETs send only half the body, then close the connection. */
    final AtomicInteger dropNext = new AtomicInteger();
    /** Bytes of the body sent before a drop (default: half). */
    volatile int dropAfter = -1;
    /** When set, CDN GETs send half the body and wait for this latch (at most 30 s) before the rest. */
    volatile CountDownLatch holdGets;
    /** The next this-many CDN GETs send half the body and then stall for {@link #stallMillis}. */
    final AtomicInteger stallNext = new AtomicInteger();
    volatile int stallMillis = 3000;
    /** Answer unknown repos as the real Hub does for anonymous requests: 401 RepositoryNotFound. */
    volatile boolean unknownAs401;

    FakeHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cdn = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        cdn.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        hub.start();
        cdn.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + hub.getAddress().getPort();
    }

    /** Publishes the files of {@code dir} as a new commit of {@code repo} on {@code branch}; returns the commit. */
    String publish(String repo, String branch, Path dir) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) files.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return publish(repo, branch, files);
    }

    String publish(String repo, String branch, Map<String, byte[]> files) {
        StringBuilder all = new StringBuilder(repo);
        files.forEach((k, v) -> all.append(k).append(sha256(v)));
        all.append(repos.getOrDefault(repo, Map.of()).size());
        String commit = sha1(all.toString().getBytes(StandardCharsets.UTF_8));
        repos.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(commit, Map.copyOf(files));
        branches.computeIfAbsent(repo, r -> new ConcurrentHashMap<>()).put(branch, commit);
        for (byte[] b : files.values()) cdnBlobs.put(sha256(b), b);
        return commit;
    }

    void rename(String oldRepo, String newRepo) {
        renamed.put(oldRepo, newRepo);
    }

    List<Request> requests(String server, String method) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.server.equals(server) && r.method.equals(method)).toList();
        }
    }

    static boolean isLfs(String file) {
        return file.endsWith(".safetensors") || file.endsWith(".bin");
    }

    static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String gitOid(byte[] b) {
        byte[] head = ("blob " + b.length + "\0").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + b.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        return sha1(all);
    }

    static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void record(String server, HttpExchange ex) {
        requests.add(new Request(server, ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                ex.getRequestHeaders().getFirst("Authorization"), ex.getRequestHeaders().getFirst("Range")));
    }

    private void hub(HttpExchange ex) throws IOException {
        try (ex) {
            record("hub", ex);
            String path = ex.getRequestURI().getRawPath();      // /org/name/resolve/rev/file
            String[] p = path.substring(1).split("/", 5);
            if (p.length < 5 || !p[2].equals("resolve")) {
                send(ex, 404, null);
                return;
            }
            String repo = p[0] + "/" + p[1];
            String rev = java.net.URLDecoder.decode(p[3], StandardCharsets.UTF_8);
            String file = p[4];
            if (renamed.containsKey(repo)) {
                ex.getResponseHeaders().set("Location", "/" + renamed.get(repo) + "/resolve/" + p[3] + "/" + file);
                send(ex, 307, null);
                return;
            }
            if (privateRepos.contains(repo) && !("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                ex.getResponseHeaders().set("X-Error-Code", "GatedRepo");
                send(ex, 401, null);
                return;
            }
            Map<String, Map<String, byte[]>> commits = repos.get(repo);
            if (commits == null) {
                ex.getResponseHeaders().set("X-Error-Code", "RepositoryNotFound");
                send(ex, unknownAs401 && ex.getRequestHeaders().getFirst("Authorization") == null ? 401 : 404, null);
                return;
            }
            String commit = commits.containsKey(rev) ? rev : branches.get(repo).get(rev);
            if (commit == null) {
                ex.getResponseHeaders().set("X-Error-Code", "RevisionNotFound");
                send(ex, 404, null);
                return;
            }
            ex.getResponseHeaders().set("X-Repo-Commit", commit);
            byte[] body = commits.get(commit).get(file);
            if (body == null) {
                ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                send(ex, 404, null);
                return;
            }
            if (isLfs(file)) {
                String sha = sha256(body);
                ex.getResponseHeaders().set("ETag", "\"" + gitOid(("version lfs " + sha).getBytes(StandardCharsets.UTF_8)) + "\"");
                ex.getResponseHeaders().set("X-Linked-Etag", "\"" + sha + "\"");
                ex.getResponseHeaders().set("X-Linked-Size", Long.toString(body.length));
                ex.getResponseHeaders().set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/repos/"
                        + sha + "?X-Amz-Signature=abc");
                send(ex, 302, null);
                return;
            }
            ex.getResponseHeaders().set("ETag", "W/\"" + gitOid(body) + "\"");
            send(ex, 200, body);
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            record("cdn", ex);
            String sha = ex.getRequestURI().getRawPath().substring("/repos/".length());
            byte[] body = cdnBlobs.get(sha);
            if (body == null || !"abc".equals(queryParam(ex, "X-Amz-Signature"))) {
                send(ex, 403, null);
                return;
            }
            int from = 0;
            String range = ex.getRequestHeaders().getFirst("Range");
            if (range != null && range.startsWith("bytes=")) {
                from = Integer.parseInt(range.substring(6, range.indexOf('-')));
                ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
            }
            byte[] part = java.util.Arrays.copyOfRange(body, from, body.length);
            int code = range != null ? 206 : 200;
            if (dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 && "GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(code, part.length);
                OutputStream os = ex.getResponseBody();
                int n = dropAfter >= 0 ? Math.min(dropAfter, part.length) : part.length / 2;
                os.write(part, 0, n);
                os.flush();
                try {
                    Thread.sleep(200);     // let the client take what was sent before the connection goes
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                // leave the body short: the client sees the connection end before Content-Length bytes
                throw new IOException("dropped on purpose");
            }
            if (stallNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0 && "GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(code, part.length);
                OutputStream os = ex.getResponseBody();
                os.write(part, 0, part.length / 2);
                os.flush();
                try {
                    Thread.sleep(stallMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("stalled on purpose");
            }
            CountDownLatch hold = holdGets;
            if (hold != null && "GET".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(code, part.length);
                OutputStream os = ex.getResponseBody();
                os.write(part, 0, part.length / 2);
                os.flush();
                try {
                    hold.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                os.write(part, part.length / 2, part.length - part.length / 2);
                os.close();
                return;
            }
            send(ex, code, part);
        }
    }

    private static String queryParam(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getRawQuery();
        if (q == null) return null;
        for (String kv : q.split("&")) {
            int i = kv.indexOf('=');
            if (i > 0 && kv.substring(0, i).equals(name)) return kv.substring(i + 1);
        }
        return null;
    }

    private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
        boolean head = "HEAD".equals(ex.getRequestMethod());
        if (head) {
            if (body != null) ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(code, -1);
            return;
        }
        if (body == null || body.length == 0) {
            ex.sendResponseHeaders(code, -1);
            return;
        }
        ex.sendResponseHeaders(code, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
        ((java.util.concurrent.ExecutorService) hub.getExecutor()).shutdownNow();
        ((java.util.concurrent.ExecutorService) cdn.getExecutor()).shutdownNow();
    }
}
