package io.timesformer4j.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.model.ModelDir;
import io.timesformer4j.model.Preprocessing;
import io.timesformer4j.model.Presets;
import io.timesformer4j.model.TimeSformer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hub client against {@link FakeHub} on 127.0.0.1 serving a tiny model saved with {@link ModelDir}. */
class HubClientTest {
    static FakeHub hub;
    static Path modelDir;
    static String commit;
    @TempDir static Path shared;

    @BeforeAll
    static void start() throws IOException {
        hub = new FakeHub();
        modelDir = shared.resolve("tiny");
        ModelDir.save(new TimeSformer(Presets.get("tiny", List.of("a", "b", "c", "d", "e"))), Preprocessing.defaults(32), modelDir);
        commit = hub.publish("org/tiny", "main", modelDir);
        hub.rename("old-org/tiny", "org/tiny");
        hub.publish("org/private", "main", modelDir);
        hub.privateRepos.add("org/private");
        Map<String, byte[]> bin = new LinkedHashMap<>();
        bin.put("config.json", Files.readAllBytes(modelDir.resolve("config.json")));
        bin.put("pytorch_model.bin", Files.readAllBytes(modelDir.resolve("model.safetensors")));  // any bytes: only the choice is tested
        hub.publish("org/binonly", "main", bin);
        hub.publish("org/nomodel", "main", Map.of("README.md", "# hi\n".getBytes(StandardCharsets.UTF_8)));
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    static HubSettings settings(Path cache) {
        return new HubSettings(hub.endpoint(), cache, null, false, Duration.ofSeconds(5));
    }

    static HubClient client(HubSettings s, ByteArrayOutputStream log) {
        return new HubClient(s, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @Test
    void downloadsIntoPythonsCacheLayoutAndLoads(@TempDir Path cache) throws IOException {
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path snap = client(settings(cache), log).model(HubId.parse("org/tiny"));
        Path repo = cache.resolve("models--org--tiny");
        assertEquals(repo.resolve("snapshots").resolve(commit), snap);
        assertEquals(commit, Files.readString(repo.resolve("refs/main")));
        for (String f : List.of("config.json", "model.safetensors", "preprocessor_config.json")) {
            Path p = snap.resolve(f);
            assertTrue(Files.isSymbolicLink(p), f + " is a link");
            Path target = Files.readSymbolicLink(p);
            assertFalse(target.isAbsolute(), "relative link: " + target);
            byte[] want = Files.readAllBytes(modelDir.resolve(f));
            String etag = FakeHub.isLfs(f) ? FakeHub.sha256(want) : FakeHub.gitOid(want);
            assertEquals(Path.of("..", "..", "blobs", etag), target);
            assertArrayEquals(want, Files.readAllBytes(p));
        }
        try (var s = Files.list(repo.resolve("blobs"))) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete")));
        }
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("downloaded org/tiny/model.safetensors"), log.toString());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("B/s)"), log.toString());
        // the cached model loads as a model dir with the same weights
        ModelDir.LoadedModel back = ModelDir.load(snap);
        assertEquals(List.of("a", "b", "c", "d", "e"), back.config().labels());
        Tensor w = back.model().stateDict().get("classifier.weight");
        Tensor w0 = ModelDir.load(modelDir).model().stateDict().get("classifier.weight");
        assertTrue(w.equal(w0));

        // a second call downloads nothing (HEADs only), and offline resolves through refs/main
        int gets = hub.requests("cdn", "GET").size();
        assertEquals(snap, client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
        assertEquals(gets, hub.requests("cdn", "GET").size());
        assertEquals(snap, client(settings(cache).withOffline(true), new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
        assertEquals(snap, client(settings(cache).withOffline(true), new ByteArrayOutputStream())
                .model(HubId.parse("org/tiny@" + commit)));
    }

    @Test
    void revisionByCommitAndRenamedRepoByRelativeRedirect(@TempDir Path cache) throws IOException {
        Path snap = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny@" + commit));
        assertTrue(Files.isRegularFile(snap.resolve("model.safetensors")));
        assertFalse(Files.exists(cache.resolve("models--org--tiny/refs/" + commit)), "no ref for a commit revision");
        Path viaOld = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("old-org/tiny"));
        assertEquals(cache.resolve("models--old-org--tiny/snapshots").resolve(commit), viaOld);
        assertArrayEquals(Files.readAllBytes(modelDir.resolve("config.json")), Files.readAllBytes(viaOld.resolve("config.json")));
    }

    @Test
    void tokenGoesToTheHubButNotToTheCdn(@TempDir Path cache) throws IOException {
        HubException e = assertThrows(HubException.class,
                () -> client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/private")));
        assertTrue(e.getMessage().contains("org/private") && e.getMessage().contains("gated")
                && e.getMessage().contains("set HF_TOKEN"), e.getMessage());
        HubException wrong = assertThrows(HubException.class, () -> client(settings(cache).withToken("hf_wrong"),
                new ByteArrayOutputStream()).model(HubId.parse("org/private")));
        assertTrue(wrong.getMessage().contains("the token in HF_TOKEN has no access"), wrong.getMessage());

        hub.requests.clear();
        Path snap = client(settings(cache).withToken(FakeHub.TOKEN), new ByteArrayOutputStream()).model(HubId.parse("org/private"));
        assertTrue(Files.isRegularFile(snap.resolve("model.safetensors")));
        List<FakeHub.Request> heads = hub.requests("hub", "HEAD");
        assertFalse(heads.isEmpty());
        for (FakeHub.Request r : heads) assertEquals("Bearer " + FakeHub.TOKEN, r.authorization(), r.toString());
        List<FakeHub.Request> cdnGets = hub.requests("cdn", "GET");
        assertEquals(1, cdnGets.size(), cdnGets.toString());
        assertNull(cdnGets.get(0).authorization(), "token dropped on the cross-host redirect");
        for (FakeHub.Request r : hub.requests("hub", "GET")) assertEquals("Bearer " + FakeHub.TOKEN, r.authorization());
    }

    @Test
    void clearErrors(@TempDir Path cache) {
        HubClient c = client(settings(cache), new ByteArrayOutputStream());
        HubException unknown = assertThrows(HubException.class, () -> c.model(HubId.parse("org/nope")));
        assertTrue(unknown.getMessage().startsWith("org/nope: repository not found"), unknown.getMessage());
        hub.unknownAs401 = true;
        try {
            HubException anon = assertThrows(HubException.class, () -> c.model(HubId.parse("org/nope")));
            assertTrue(anon.getMessage().startsWith("org/nope: repository not found on " + hub.endpoint() + " (HTTP 401), or private")
                    && anon.getMessage().contains("set HF_TOKEN"), anon.getMessage());
        } finally {
            hub.unknownAs401 = false;
        }
        HubException rev = assertThrows(HubException.class, () -> c.model(HubId.parse("org/tiny@v9")));
        assertTrue(rev.getMessage().contains("revision 'v9' not found"), rev.getMessage());
        HubException noModel = assertThrows(HubException.class, () -> c.model(HubId.parse("org/nomodel")));
        assertTrue(noModel.getMessage().contains("no config.json"), noModel.getMessage());
        HubException offline = assertThrows(HubException.class, () -> client(settings(cache).withOffline(true),
                new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
        assertTrue(offline.getMessage().contains("offline (HF_HUB_OFFLINE is set) and no cached snapshot"), offline.getMessage());
        HubException down = assertThrows(HubException.class, () -> client(new HubSettings("http://127.0.0.1:1", cache, null,
                false, Duration.ofSeconds(2)), new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
        assertTrue(down.getMessage().contains("cannot reach http://127.0.0.1:1") && down.getMessage().contains("no cached snapshot"),
                down.getMessage());
        for (HubException e : List.of(unknown, rev, noModel, offline, down)) assertFalse(e.getMessage().contains("\n"));
    }

    @Test
    void fallsBackToPytorchModelBin(@TempDir Path cache) throws IOException {
        Path snap = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/binonly"));
        assertTrue(Files.isRegularFile(snap.resolve("pytorch_model.bin")));
        assertFalse(Files.exists(snap.resolve("model.safetensors")));
        String c = snap.getFileName().toString();
        assertTrue(Files.exists(cache.resolve("models--org--binonly/.no_exist").resolve(c).resolve("model.safetensors")));
    }

    @Test
    void droppedConnectionResumesWithRange(@TempDir Path cache) throws IOException {
        hub.requests.clear();
        hub.dropAfter = -1;
        hub.dropNext.set(1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path snap = client(settings(cache), log).model(HubId.parse("org/tiny"));
        byte[] want = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        assertArrayEquals(want, Files.readAllBytes(snap.resolve("model.safetensors")));
        List<FakeHub.Request> gets = hub.requests("cdn", "GET");
        assertEquals(2, gets.size(), gets.toString());
        assertNull(gets.get(0).range());
        // the server sent half before dropping; what reached the client before the reset is kept and resumed from
        assertTrue(resumedAt(gets.get(1)) > 0 && resumedAt(gets.get(1)) <= want.length / 2, gets.toString());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("connection lost at"), log.toString());
    }

    @Test
    void stalledDownloadIsCutAndResumed(@TempDir Path cache) throws IOException {
        hub.requests.clear();
        hub.stallNext.set(1);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path snap = client(settings(cache).withDownloadTimeout(Duration.ofMillis(500)), log).model(HubId.parse("org/tiny"));
        byte[] want = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        assertArrayEquals(want, Files.readAllBytes(snap.resolve("model.safetensors")));
        List<FakeHub.Request> gets = hub.requests("cdn", "GET");
        assertEquals(2, gets.size(), gets.toString());
        assertTrue(resumedAt(gets.get(1)) > 0 && resumedAt(gets.get(1)) <= want.length / 2, gets.toString());
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("no data for 0.5 s"), log.toString());
    }

    @Test
    void interruptedDownloadKeepsThePartialFileAndTheNextRunResumes(@TempDir Path cache) throws IOException {
        hub.requests.clear();
        hub.dropAfter = 1000;
        hub.dropNext.set(HubClient.RESUMES + 1);     // every try of this run drops after 1000 more bytes
        try {
            HubException e = assertThrows(HubException.class,
                    () -> client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
            assertTrue(e.getMessage().contains("download interrupted after") && e.getMessage().contains("run again to resume"),
                    e.getMessage());
        } finally {
            hub.dropAfter = -1;
        }
        byte[] want = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        Path partial = cache.resolve("models--org--tiny/blobs").resolve(FakeHub.sha256(want) + ".incomplete");
        long have = Files.size(partial);
        assertTrue(have > 0 && have <= 1000L * (HubClient.RESUMES + 1), "kept what arrived: " + have);
        assertFalse(Files.exists(cache.resolve("models--org--tiny/snapshots").resolve(commit).resolve("model.safetensors")));
        hub.requests.clear();
        Path snap = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny"));
        assertArrayEquals(want, Files.readAllBytes(snap.resolve("model.safetensors")));
        assertEquals(List.of("bytes=" + have + "-"), hub.requests("cdn", "GET").stream().map(FakeHub.Request::range).toList());
        assertFalse(Files.exists(partial));
    }

    @Test
    void corruptPartialFileIsCaughtByTheChecksum(@TempDir Path cache) throws IOException {
        byte[] want = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        Path blobs = Files.createDirectories(cache.resolve("models--org--tiny/blobs"));
        Path partial = blobs.resolve(FakeHub.sha256(want) + ".incomplete");
        byte[] junk = new byte[100];
        java.util.Arrays.fill(junk, (byte) 7);
        Files.write(partial, junk);
        HubException e = assertThrows(HubException.class,
                () -> client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny")));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertFalse(Files.exists(partial));
        assertFalse(Files.exists(blobs.resolve(FakeHub.sha256(want))));
        // and the next run is clean
        Path snap = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny"));
        assertArrayEquals(want, Files.readAllBytes(snap.resolve("model.safetensors")));
    }

    @Test
    void concurrentDownloadsOfOneFileWaitForEachOther(@TempDir Path cache) throws Exception {
        hub.requests.clear();
        // the model's download stops halfway until the second client has said it waits for it: they always overlap
        hub.holdGets = new CountDownLatch(1);
        ByteArrayOutputStream log1 = new ByteArrayOutputStream(), log2 = new ByteArrayOutputStream();
        HubClient a = client(settings(cache), log1), b = client(settings(cache), log2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Path> fa = pool.submit(() -> a.model(HubId.parse("org/tiny")));
            Future<Path> fb = pool.submit(() -> b.model(HubId.parse("org/tiny")));
            for (int i = 0; i < 3000 && !(log1.toString(StandardCharsets.UTF_8) + log2.toString(StandardCharsets.UTF_8))
                    .contains("waiting for another download of org/tiny/model.safetensors"); i++) Thread.sleep(10);
            hub.holdGets.countDown();
            Path sa = fa.get(), sb = fb.get();
            assertEquals(sa, sb);
            assertArrayEquals(Files.readAllBytes(modelDir.resolve("model.safetensors")),
                    Files.readAllBytes(sa.resolve("model.safetensors")));
        } finally {
            hub.holdGets.countDown();
            hub.holdGets = null;
            pool.shutdownNow();
        }
        assertEquals(1, hub.requests("cdn", "GET").size(), "one download, the other waited");
        String logs = log1.toString(StandardCharsets.UTF_8) + log2.toString(StandardCharsets.UTF_8);
        assertTrue(logs.contains("waiting for another download of org/tiny/model.safetensors"), logs);
        assertTrue(Files.isRegularFile(cache.resolve(".locks/models--org--tiny")
                .resolve(FakeHub.sha256(Files.readAllBytes(modelDir.resolve("model.safetensors"))) + ".lock")));
    }

    @Test
    void everyWriterRenamesItsOwnTempFile() throws Exception {
        Path ref = Path.of("cache/models--org--tiny/refs/main");
        // one thread twice, and two threads: never the same name (the process id alone let two clients in one
        // JVM share a temp file, and the second rename failed with "no such file")
        assertNotEquals(HubClient.tempSibling(ref), HubClient.tempSibling(ref));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            var fa = pool.submit(() -> HubClient.tempSibling(ref));
            var fb = pool.submit(() -> HubClient.tempSibling(ref));
            assertNotEquals(fa.get(), fb.get());
            assertEquals(ref.getParent(), fa.get().getParent());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void manyClientsOnOneEmptyCacheAllGetTheSnapshot(@TempDir Path root) throws Exception {
        int n = 6;
        byte[] want = Files.readAllBytes(modelDir.resolve("model.safetensors"));
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            for (int round = 0; round < 10; round++) {      // ten empty caches: the writers meet at the ref
                Path cache = root.resolve("cache" + round);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Path>> done = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    HubClient c = client(settings(cache), new ByteArrayOutputStream());
                    done.add(pool.submit(() -> {
                        start.await();
                        return c.model(HubId.parse("org/tiny"));
                    }));
                }
                start.countDown();
                for (Future<Path> f : done) assertArrayEquals(want, Files.readAllBytes(f.get().resolve("model.safetensors")));
            }
        } finally {
            pool.shutdownNow();
        }
        try (var left = Files.walk(root)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temp file left behind");
        }
    }

    @Test
    void diskFullLeavesNoPartialFile(@TempDir Path cache) throws IOException {
        HubClient c = new HubClient(settings(cache), null, dir -> 4096);
        HubException e = assertThrows(HubException.class, () -> c.model(HubId.parse("org/tiny")));
        assertTrue(e.getMessage().contains("disk full") && e.getMessage().contains("model.safetensors"), e.getMessage());
        try (var s = Files.walk(cache)) {
            assertTrue(s.noneMatch(p -> p.toString().endsWith(".incomplete") || p.toString().endsWith("model.safetensors")));
        }
    }

    static long resumedAt(FakeHub.Request r) {
        assertTrue(r.range() != null && r.range().startsWith("bytes=") && r.range().endsWith("-"), String.valueOf(r));
        return Long.parseLong(r.range().substring(6, r.range().length() - 1));
    }

    @Test
    void environmentVariables(@TempDir Path home) throws IOException {
        HubSettings s = HubSettings.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_ENDPOINT", "http://h:1/"));
        assertEquals("http://h:1", s.endpoint());
        assertEquals(home.resolve("hub"), s.cache());
        assertNull(s.token());
        assertFalse(s.offline());
        Files.writeString(home.resolve("token"), "hf_from_file\n");
        assertEquals("hf_from_file", HubSettings.fromEnvironment(Map.of("HF_HOME", home.toString())).token());
        HubSettings e = HubSettings.fromEnvironment(Map.of("HF_HOME", home.toString(), "HF_TOKEN", "hf_env",
                "HF_HUB_CACHE", home.resolve("c").toString(), "HF_HUB_OFFLINE", "1"));
        assertEquals("hf_env", e.token());
        assertEquals(home.resolve("c"), e.cache());
        assertTrue(e.offline());
        assertEquals(Duration.ofMillis(2500), HubSettings.fromEnvironment(Map.of("HF_HUB_DOWNLOAD_TIMEOUT", "2.5")).downloadTimeout());
        assertEquals(Path.of("/x/huggingface/hub"), HubSettings.fromEnvironment(Map.of("XDG_CACHE_HOME", "/x")).cache());
        assertEquals(HubSettings.DEFAULT_ENDPOINT, HubSettings.fromEnvironment(Map.of()).endpoint());
    }

    @Test
    void ids() {
        assertEquals(new HubId("facebook/timesformer-base-finetuned-k400", "main"),
                HubId.parse("facebook/timesformer-base-finetuned-k400"));
        assertEquals("v1.0", HubId.parse("org/name@v1.0").revision());
        assertEquals("refs/pr/1", HubId.parse("org/name@refs/pr/1").revision());
        assertEquals("models--org--name", HubId.parse("org/name").cacheFolder());
        assertTrue(HubId.looksLike("org/name"));
        assertFalse(HubId.looksLike("runs/a/best"));
        assertFalse(HubId.looksLike("./org/name"));
        assertFalse(HubId.looksLike("model.safetensors"));
        assertFalse(HubId.looksLike("src/main"), "an existing local folder wins");
        assertThrows(IllegalArgumentException.class, () -> HubId.parse("a/b/c"));
        assertThrows(IllegalArgumentException.class, () -> HubId.parse("org/.."));
        assertTrue(new HubClient(settings(Path.of("/c")), null).resolveUrl(HubId.parse("o/n"), "refs/pr/1", "config.json")
                .endsWith("/o/n/resolve/refs%2Fpr%2F1/config.json"));
    }

    /** If Python's huggingface_hub is installed, it reads the cache Java wrote, offline. */
    @Test
    void pythonReadsTheCacheJavaWrote(@TempDir Path cache) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(pythonHasHub(), "python3 with huggingface_hub not installed");
        Path snap = client(settings(cache), new ByteArrayOutputStream()).model(HubId.parse("org/tiny"));
        ProcessBuilder pb = new ProcessBuilder("python3", "-c",
                "import huggingface_hub as h; print(h.hf_hub_download('org/tiny', 'model.safetensors', local_files_only=True));"
                + "print(h.snapshot_download('org/tiny', local_files_only=True))");
        pb.environment().put("HF_HUB_CACHE", cache.toString());
        pb.environment().put("HF_HUB_OFFLINE", "1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains(snap.resolve("model.safetensors").toString()), out);
    }

    static boolean pythonHasHub() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import huggingface_hub").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
