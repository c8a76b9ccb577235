package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.video.DecodedClip;
import io.timesformer4j.video.FrameSampler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Loader threading, order and failure handling with a fake in-memory decoder (no FFmpeg). */
class ClipLoaderTest {
    private static final ClipSpec SPEC = ClipSpec.forModel(4, 8, null, null).withShortSide(12);

    /** Frames whose pixels encode (video number, frame index); "bad*" paths fail like a broken file. */
    static final class FakeDecoder implements ClipDecoder {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public DecodedClip decode(Path path, FrameSampler sampler, int shortSide) throws IOException {
            calls.incrementAndGet();
            String name = path.getFileName().toString();
            if (name.startsWith("bad")) throw new IOException(path + ": not a video (invalid data found when processing input)");
            int n = name.startsWith("empty") ? 0 : 40;
            if (n == 0) return new DecodedClip(path, 0, 0, 0, new byte[0], 0, new int[0]);
            int[] idx = sampler.indices(n);
            int h = shortSide, w = shortSide * 4 / 3;
            byte[] rgb = new byte[idx.length * h * w * 3];
            int video = Integer.parseInt(name.replaceAll("\\D", ""));
            for (int f = 0; f < idx.length; f++) {
                for (int p = 0; p < h * w; p++) {
                    int o = (f * h * w + p) * 3;
                    rgb[o] = (byte) video;
                    rgb[o + 1] = (byte) idx[f];
                    rgb[o + 2] = (byte) (p % w * 7);
                }
            }
            return new DecodedClip(path, idx.length, h, w, rgb, n, idx);
        }
    }

    private static List<Sample> samples(int n, String... bad) {
        List<Sample> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Sample(Path.of("v" + i + ".mp4"), i % 3));
        for (String b : bad) out.add(2, new Sample(Path.of(b), 0));
        return out;
    }

    private static List<Batch> all(ClipLoader loader) {
        List<Batch> out = new ArrayList<>();
        for (Batch b : loader) out.add(b);
        return out;
    }

    @Test
    void sameSeedGivesIdenticalBatchesWithOneOrThreeWorkers() {
        List<Sample> s = samples(11);
        List<Batch> one, three;
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 4, 1, 7, 0, new FakeDecoder())) {
            one = all(l);
            assertEquals(3, l.size());
        }
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 4, 3, 7, 0, new FakeDecoder())) {
            three = all(l);
        }
        assertEquals(3, one.size());
        assertEquals(List.of(4, 4, 3), one.stream().map(Batch::batch).toList());
        for (int i = 0; i < one.size(); i++) {
            assertEquals(one.get(i).samples(), three.get(i).samples());
            assertArrayEquals(one.get(i).labels(), three.get(i).labels());
            assertArrayEquals(one.get(i).pixels(), three.get(i).pixels());
        }
        // every sample appears exactly once in an epoch
        assertEquals(11, one.stream().flatMap(b -> b.samples().stream()).distinct().count());
    }

    @Test
    void epochsShuffleDifferentlyAndValKeepsOrder() {
        List<Sample> s = samples(12);
        List<Sample> e0, e1;
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 4, 2, 7, 0, new FakeDecoder())) {
            e0 = all(l).stream().flatMap(b -> b.samples().stream()).toList();
        }
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.TRAIN, 4, 2, 7, 1, new FakeDecoder())) {
            e1 = all(l).stream().flatMap(b -> b.samples().stream()).toList();
        }
        assertFalse(e0.equals(e1), "epoch 0 and 1 must differ");
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.VAL, 5, 2, 7, 3, new FakeDecoder())) {
            assertEquals(s, all(l).stream().flatMap(b -> b.samples().stream()).toList());
        }
    }

    @Test
    void batchShapeAndTensors() {
        try (ClipLoader l = new ClipLoader(samples(3), SPEC.withViews(2, 3), Mode.TEST, 2, 2, 1, 0, new FakeDecoder())) {
            Batch b = l.iterator().next();
            assertEquals(2, b.batch());
            assertEquals(6, b.views());
            try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                org.bytedeco.pytorch.Tensor px = b.pixelValues();
                assertArrayEquals(new long[] {12, 4, 3, 8, 8}, px.sizes().vec().get());
                assertEquals(b.pixels()[5], px.flatten(0, -1).get(5).item_float(), 1e-6);
                org.bytedeco.pytorch.Tensor lt = b.labelTensor();
                assertEquals("Long", lt.scalar_type().intern().toString());
                assertEquals(b.labels()[1], lt.get(1).item_long());
            }
        }
    }

    @Test
    void badInputsAreSkippedAndListedNotFatal() {
        List<Sample> s = samples(6, "bad1.mp4", "empty2.mp4");
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.VAL, 4, 2, 1, 0, new FakeDecoder())) {
            List<Batch> batches = all(l);
            assertEquals(6, batches.stream().mapToInt(Batch::batch).sum());
            assertEquals(List.of(2, 4), batches.stream().map(Batch::batch).toList());
            assertEquals(2, l.skipped().size());
            assertEquals(Path.of("empty2.mp4"), l.skipped().get(0).path());
            assertEquals("no decodable frames", l.skipped().get(0).reason());
            assertTrue(l.skipped().get(1).reason().contains("not a video"), l.skipped().toString());
        }
    }

    /** A batch whose clips all fail is left out, or, for a data-parallel rank, comes as an empty batch. */
    @Test
    void anAllBadBatchIsLeftOutOrComesEmptyWhenAsked() {
        List<Sample> s = samples(4, "bad1.mp4", "bad2.mp4");           // v0 v1 bad2 bad1 v2 v3, batches of 2
        try (ClipLoader l = new ClipLoader(s, SPEC, Mode.VAL, 2, 2, 1, 0, new FakeDecoder())) {
            assertEquals(List.of(2, 2), all(l).stream().map(Batch::batch).toList());
            try (ClipLoader e = l.withEmptyBatches()) {
                List<Batch> b = all(e);
                assertEquals(List.of(2, 0, 2), b.stream().map(Batch::batch).toList());
                assertEquals(l.size(), b.size());
                assertEquals(0, b.get(1).pixels().length);
                assertEquals(2, e.skipped().size());
            }
        }
    }

    @Test
    void prefetchIsBoundedAndThreadsStopOnClose() throws Exception {
        FakeDecoder dec = new FakeDecoder();
        ClipLoader l = new ClipLoader(samples(40), SPEC, Mode.TRAIN, 2, 3, 1, 0, dec);
        var it = l.iterator();
        it.next();
        Thread.sleep(300);                                       // give workers time to run ahead
        assertTrue(dec.calls.get() <= 2 + l.prefetch(), "decoded " + dec.calls.get() + " with prefetch " + l.prefetch());
        assertTrue(loaderThreads() > 0);
        l.close();                                               // early exit: consumer stops after one batch
        for (int i = 0; i < 50 && loaderThreads() > 0; i++) Thread.sleep(20);
        assertEquals(0, loaderThreads(), "decode threads must end on close()");
        assertFalse(it.hasNext());
    }

    @Test
    @org.junit.jupiter.api.Timeout(20)
    void closeFromAnotherThreadWakesABlockedConsumer() throws Exception {
        FakeDecoder fast = new FakeDecoder();
        ClipDecoder stuck = (path, sampler, shortSide) -> {      // never finishes unless interrupted
            try {
                Thread.sleep(600_000);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted");
            }
            return fast.decode(path, sampler, shortSide);
        };
        ClipLoader l = new ClipLoader(samples(20), SPEC, Mode.VAL, 4, 1, 1, 0, stuck);
        var it = l.iterator();
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException ignored) {
                // test thread
            }
            l.close();
        });
        closer.start();
        // without the wake-up this call would wait for a batch that never comes, and the timeout fails the test
        assertFalse(it.hasNext(), "closed while waiting for the first batch");
        closer.join();
        for (int i = 0; i < 250 && loaderThreads() > 0; i++) Thread.sleep(20);
        assertEquals(0, loaderThreads(), "the stuck decode threads are interrupted on close()");
    }

    @Test
    void threadsEndWhenIterationCompletes() throws Exception {
        try (ClipLoader l = new ClipLoader(samples(5), SPEC, Mode.VAL, 2, 2, 1, 0, new FakeDecoder())) {
            assertEquals(3, all(l).size());
            for (int i = 0; i < 50 && loaderThreads() > 0; i++) Thread.sleep(20);
            assertEquals(0, loaderThreads());
        }
    }

    @Test
    void mixSeparatesNearbyInputs() {
        assertFalse(ClipLoader.mix(1, 0, 5) == ClipLoader.mix(1, 1, 5));
        assertFalse(ClipLoader.mix(1, 0, 5) == ClipLoader.mix(1, 0, 6));
        assertEquals(ClipLoader.mix(1, 2, 3), ClipLoader.mix(1, 2, 3));
        assertTrue(Arrays.stream(new ClipLoader(samples(50), SPEC, Mode.TRAIN, 4, 1, 9, 0, new FakeDecoder()).order()).distinct().count() == 50);
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("clip-loader-") && t.isAlive()).count();
    }
}
