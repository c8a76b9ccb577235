package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layout detection, label maps and scan-time bad inputs. Scanning does not decode, so the videos hold dummy bytes;
 * frame images are real (the scan checks their structure).
 */
class VideoDatasetTest {
    @TempDir Path dir;

    private Path file(String rel) throws IOException {
        if (rel.endsWith(".png") || rel.endsWith(".jpg")) return image(rel);
        return file(rel, "not decoded while scanning");
    }

    /** A real 8x8 image (png or jpg by the name). */
    static Path image(Path p) throws IOException {
        Files.createDirectories(p.getParent());
        String name = p.getFileName().toString();
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(8, 8, java.awt.image.BufferedImage.TYPE_INT_RGB),
                name.substring(name.lastIndexOf('.') + 1), p.toFile());
        return p;
    }

    private Path image(String rel) throws IOException {
        return image(dir.resolve(rel));
    }

    private Path file(String rel, String content) throws IOException {
        Path p = dir.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    private static String problems(VideoDataset d) {
        return d.problems().toString();
    }

    @Test
    void classFoldersWithFrameFoldersAndBadInputs() throws IOException {
        file("root/walk/b.mp4");
        file("root/walk/A.MKV");
        file("root/run/x.webm");
        file("root/run/clip7/frame0001.png");
        file("root/run/clip7/frame0002.png");
        file("root/run/notes.txt");
        file("root/run/.hidden.mp4");
        file("root/jump/zero.avi", "");
        Files.createDirectories(dir.resolve("root/empty"));
        VideoDataset d = VideoDataset.scan(dir.resolve("root"), DatasetOptions.defaults());
        assertEquals(DatasetLayout.CLASS_FOLDERS, d.layout());
        assertEquals(List.of("run", "walk"), d.labels().names());
        assertEquals(List.of(
                new Sample(dir.resolve("root/run/clip7"), 0), new Sample(dir.resolve("root/run/x.webm"), 0),
                new Sample(dir.resolve("root/walk/A.MKV"), 1), new Sample(dir.resolve("root/walk/b.mp4"), 1)), d.samples());
        assertEquals(2, d.problems().size(), problems(d));
        assertTrue(d.problems().contains(new BadInput(dir.resolve("root/empty"),
                "empty class folder (no videos or frame folders); class 'empty' left out")), problems(d));
        assertTrue(d.problems().contains(new BadInput(dir.resolve("root/jump/zero.avi"), "zero-byte file")), problems(d));
    }

    @Test
    void videosInNestedFoldersOfAClassAreReportedNotSilentlyDropped() throws IOException {
        file("nested/walk/a.mp4");
        file("nested/walk/group01/b.mp4");
        file("nested/walk/group01/c.mp4");
        file("nested/run/x.mp4");
        file("nested/run/notes/readme.txt");
        VideoDataset d = VideoDataset.scan(dir.resolve("nested"), DatasetOptions.defaults());
        assertEquals(List.of(new Sample(dir.resolve("nested/run/x.mp4"), 0), new Sample(dir.resolve("nested/walk/a.mp4"), 1)),
                d.samples());
        assertEquals(1, d.problems().size(), problems(d));
        BadInput b = d.problems().get(0);
        assertEquals(dir.resolve("nested/walk/group01"), b.path());
        assertTrue(b.reason().contains("nested") && b.reason().contains("ignored"), b.reason());
    }

    @Test
    void brokenSymlinksToVideosAreReported() throws IOException {
        file("links/walk/a.mp4");
        file("links/run/b.mp4");
        Files.createSymbolicLink(dir.resolve("links/walk/gone.mp4"), dir.resolve("moved-away/gone.mp4"));
        Files.createSymbolicLink(dir.resolve("links/run/ok.mp4"), dir.resolve("links/run/b.mp4"));
        VideoDataset d = VideoDataset.scan(dir.resolve("links"), DatasetOptions.defaults());
        assertEquals(3, d.samples().size(), d.samples().toString());
        assertEquals(List.of(new BadInput(dir.resolve("links/walk/gone.mp4"), "symbolic link to a missing file")), d.problems());

        file("flatlinks/walk_1.mp4");
        file("flatlinks/run_1.mp4");
        Files.createSymbolicLink(dir.resolve("flatlinks/run_2.mp4"), dir.resolve("moved-away/x.mp4"));
        VideoDataset f = VideoDataset.scan(dir.resolve("flatlinks"), DatasetOptions.defaults());
        assertEquals(List.of(new BadInput(dir.resolve("flatlinks/run_2.mp4"), "symbolic link to a missing file")), f.problems());
    }

    @Test
    void aVideoListedTwiceIsCountedOnceAndReported() throws IOException {
        file("dup/v/a.mp4");
        file("dup/v/b.mp4");
        file("dup/v/c.mp4");
        Path csv = file("dup/list.csv", "path,label\nv/a.mp4,cat\nv/b.mp4,dog\nv/a.mp4,dog\nv/c.mp4,dog\n./v/c.mp4,dog\n");
        VideoDataset d = VideoDataset.scan(csv, DatasetOptions.defaults());
        assertEquals(3, d.samples().size(), d.samples().toString());
        assertEquals(0, d.samples().get(0).label());                // a.mp4 keeps its first label, cat
        assertEquals(2, d.problems().size(), problems(d));
        assertTrue(d.problems().get(0).reason().contains("'dog' after 'cat'"), problems(d));
        assertTrue(d.problems().get(1).reason().contains("listed twice"), problems(d));
    }

    @Test
    void flatPrefixLayout() throws IOException {
        file("flat/left_0001.mp4");
        file("flat/left_0002.mov");
        file("flat/right_x_0001.avi");
        file("flat/noprefix.mp4");
        file("flat/up_0003/frame0001.jpg");
        file("flat/jumping_jacks_0001.mp4");
        file("flat/jumping_rope_0001.mp4");
        file("flat/left_clipA.mp4");
        file("flat/readme.md");
        VideoDataset d = VideoDataset.scan(dir.resolve("flat"));
        assertEquals(DatasetLayout.FLAT_PREFIX, d.layout());
        assertEquals(List.of("jumping_jacks", "jumping_rope", "left", "right_x", "up"), d.labels().names());
        assertEquals(6, d.samples().size());
        assertEquals(new Sample(dir.resolve("flat/right_x_0001.avi"), 3), d.samples().get(4));
        assertEquals(List.of(new BadInput(dir.resolve("flat/left_clipA.mp4"), VideoDataset.FLAT_NAME_RULE),
                new BadInput(dir.resolve("flat/noprefix.mp4"), VideoDataset.FLAT_NAME_RULE)), d.problems());
    }

    /**
     * Frame folders: an empty, cut or bit-flipped image is a problem naming the image, and its folder is left out;
     * a gap in the numbering is a warning naming the folder and the gap, and the folder is used. (These trained
     * with "0 problems" before the scan checked images.)
     */
    @Test
    void frameFoldersWithAGapOrADamagedImageAreProblems() throws IOException {
        for (int t : new int[] {1, 2, 3, 4}) file("ff/run/clip_a/frame000" + t + ".png");
        for (int t : new int[] {1, 2, 4, 5}) file("ff/run/clip_gap/frame000" + t + ".png");
        for (int t : new int[] {1, 2, 3}) file("ff/walk/clip_b/frame000" + t + ".png");
        file("ff/walk/clip_empty/frame0001.png");
        file("ff/walk/clip_empty/frame0002.png", "");
        file("ff/walk/clip_empty/frame0003.png");
        for (int t : new int[] {1, 2, 3}) file("ff/walk/clip_cut/frame000" + t + ".png");
        Path cut = dir.resolve("ff/walk/clip_cut/frame0002.png");
        byte[] b = Files.readAllBytes(cut);
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 20));
        for (int t : new int[] {1, 2, 3}) file("ff/walk/clip_flip/frame000" + t + ".png");
        Path flip = dir.resolve("ff/walk/clip_flip/frame0003.png");
        b = Files.readAllBytes(flip);
        b[b.length - 12 - 4 - 3] ^= 0x10;                                  // inside the last IDAT chunk's data
        Files.write(flip, b);
        for (int t : new int[] {1, 2, 3}) file("ff/walk/clip_jpg/frame000" + t + ".jpg");
        Path jpg = dir.resolve("ff/walk/clip_jpg/frame0001.jpg");
        b = Files.readAllBytes(jpg);
        Files.write(jpg, java.util.Arrays.copyOf(b, b.length * 2 / 3));
        file("ff/walk/clip_text/frame0001.png", "not an image");
        file("ff/walk/clip_text/frame0002.png");

        VideoDataset d = VideoDataset.scan(dir.resolve("ff"));
        List<String> used = d.samples().stream().map(s -> s.path().getFileName().toString()).sorted().toList();
        assertEquals(List.of("clip_a", "clip_b", "clip_gap"), used);
        List<BadInput> warnings = d.problems().stream().filter(BadInput::warning).toList();
        assertEquals(1, warnings.size(), problems(d));
        assertEquals(dir.resolve("ff/run/clip_gap"), warnings.get(0).path());
        assertTrue(warnings.get(0).reason().startsWith("frame number 3 is missing (frame0002.png is followed by frame0004.png)"), problems(d));
        assertTrue(warnings.get(0).toString().startsWith(dir.resolve("ff/run/clip_gap") + ": warning: frame number 3"), problems(d));
        java.util.Map<Path, String> errors = new java.util.HashMap<>();
        for (BadInput p : d.problems()) if (!p.warning()) errors.put(p.path(), p.reason());
        assertEquals(java.util.Set.of(dir.resolve("ff/walk/clip_empty/frame0002.png"), cut, flip, jpg,
                dir.resolve("ff/walk/clip_text/frame0001.png")), errors.keySet(), problems(d));
        assertTrue(errors.get(dir.resolve("ff/walk/clip_empty/frame0002.png")).startsWith("empty image"), problems(d));
        assertTrue(errors.get(cut).startsWith("truncated PNG image") && errors.get(cut).endsWith("clip_cut left out"), problems(d));
        assertTrue(errors.get(flip).startsWith("damaged PNG image") && errors.get(flip).contains("CRC-32"), problems(d));
        assertTrue(errors.get(jpg).startsWith("truncated JPEG image"), problems(d));
        assertTrue(errors.get(dir.resolve("ff/walk/clip_text/frame0001.png")).startsWith("not a PNG image"), problems(d));
    }

    @Test
    void csvWithAndWithoutHeaderRelativeToTheCsvFolder() throws IOException {
        file("csv/videos/a.mp4");
        file("csv/videos/b.mp4");
        file("csv/videos/c.mp4", "");
        Path withHeader = file("csv/train.csv", "path,label\nvideos/a.mp4,dog\nvideos/b.mp4, cat\nvideos/missing.mp4,cat\nvideos/c.mp4,cat\nbroken-line\n");
        VideoDataset d = VideoDataset.scan(withHeader);
        assertEquals(DatasetLayout.CSV, d.layout());
        assertEquals(List.of("cat", "dog"), d.labels().names());
        assertEquals(List.of(new Sample(dir.resolve("csv/videos/a.mp4"), 1), new Sample(dir.resolve("csv/videos/b.mp4"), 0)), d.samples());
        assertEquals(List.of(
                new BadInput(dir.resolve("csv/videos/missing.mp4"), "missing file named in train.csv line 4"),
                new BadInput(dir.resolve("csv/videos/c.mp4"), "zero-byte file"),
                new BadInput(withHeader, "line 6: expected 'path,label', got 'broken-line'")), d.problems());

        Path noHeader = file("csv/list.txt", "videos/a.mp4,10\nvideos/b.mp4,2\n");
        VideoDataset n = VideoDataset.scan(noHeader);
        assertEquals(DatasetLayout.CSV, n.layout());
        assertEquals(List.of("2", "10"), n.labels().names(), "integer labels sort numerically");
        assertEquals(2, n.samples().size());
    }

    @Test
    void givenLabelMapReportsUnknownLabels() throws IOException {
        file("root/cat/1.mp4");
        file("root/dog/1.mp4");
        file("root/emu/1.mp4");
        LabelMap model = LabelMap.of(List.of("dog", "cat"));
        VideoDataset d = VideoDataset.scan(dir.resolve("root"), DatasetOptions.defaults().withLabels(model));
        assertEquals(model, d.labels());
        assertEquals(List.of(new Sample(dir.resolve("root/cat/1.mp4"), 1), new Sample(dir.resolve("root/dog/1.mp4"), 0)), d.samples());
        assertEquals(List.of(new BadInput(dir.resolve("root/emu/1.mp4"), "unknown label 'emu' (known: dog, cat)")), d.problems());
    }

    @Test
    void kineticsCsvFindsFilesUnderLabelFoldersOrFlat() throws IOException {
        file("k400/abseiling/aaa_000010_000020.mp4");
        file("k400/air_drumming/bbb_000001_000011.mp4");
        file("k400/ccc_000100_000110.mkv");
        Path csv = file("k400/train.csv", "label,youtube_id,time_start,time_end,split\n"
                + "abseiling,aaa,10,20,train\n\"air drumming\",bbb,1,11,train\n\"air drumming\",ccc,100,110,train\n"
                + "abseiling,gone,5,15,train\n");
        VideoDataset d = VideoDataset.scan(csv);
        assertEquals(DatasetLayout.KINETICS_CSV, d.layout());
        assertEquals(List.of("abseiling", "air drumming"), d.labels().names());
        assertEquals(List.of(new Sample(dir.resolve("k400/abseiling/aaa_000010_000020.mp4"), 0),
                new Sample(dir.resolve("k400/air_drumming/bbb_000001_000011.mp4"), 1),
                new Sample(dir.resolve("k400/ccc_000100_000110.mkv"), 1)), d.samples());
        assertEquals(1, d.problems().size());
        assertTrue(d.problems().get(0).reason().startsWith("missing video for train.csv line 5"), problems(d));
    }

    @Test
    void kineticsCvdfLayoutAnnotationsBesideSplitFolders() throws IOException {
        file("k/train/aaa_000010_000020.mp4");
        file("k/val/bbb_000000_000010.mp4");
        Path csv = file("k/annotations/train.csv", "label,youtube_id,time_start,time_end,split\nabseiling,aaa,10,20,train\nbowling,bbb,0,10,val\n");
        VideoDataset d = VideoDataset.scan(csv);
        assertEquals(List.of(new Sample(dir.resolve("k/train/aaa_000010_000020.mp4"), 0), new Sample(dir.resolve("k/val/bbb_000000_000010.mp4"), 1)),
                d.samples());
    }

    @Test
    void ucf101TrainAndTestLists() throws IOException {
        file("UCF-101/ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi");
        file("UCF-101/Archery/v_Archery_g01_c01.avi");
        file("lists/classInd.txt", "1 ApplyEyeMakeup\n2 ApplyLipstick\n3 Archery\n");
        Path train = file("lists/trainlist01.txt", "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi 1\nArchery/v_Archery_g01_c01.avi 3\n");
        Path test = file("lists/testlist01.txt", "ApplyEyeMakeup/v_ApplyEyeMakeup_g08_c01.avi\nArchery/v_Archery_g01_c01.avi\nArchery/v_Archery_g09_c09.avi\n");
        DatasetOptions opt = DatasetOptions.defaults().withVideoRoot(dir.resolve("UCF-101"));
        VideoDataset tr = VideoDataset.scan(train, opt);
        assertEquals(DatasetLayout.UCF101_LIST, tr.layout());
        assertEquals(List.of("ApplyEyeMakeup", "Archery"), tr.labels().names());
        assertEquals(List.of(0, 1), tr.samples().stream().map(Sample::label).toList());
        VideoDataset te = VideoDataset.scan(test, opt.withLabels(tr.labels()));
        assertEquals(2, te.samples().size());
        assertEquals(List.of(0, 1), te.samples().stream().map(Sample::label).toList());
        assertEquals(dir.resolve("UCF-101/Archery/v_Archery_g09_c09.avi"), te.problems().get(0).path());
        assertEquals("missing file named in testlist01.txt line 3", te.problems().get(0).reason());
        // official archive layout: lists/ beside UCF-101/, no video root needed
        assertEquals(tr.samples(), VideoDataset.scan(train).samples());
    }

    @Test
    void clearErrorsWhenNothingUsable() throws IOException {
        IOException e = assertThrows(IOException.class, () -> VideoDataset.scan(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("no such file"), e.getMessage());
        Path csv = file("only-missing.csv", "gone.mp4,a\n");
        e = assertThrows(IOException.class, () -> VideoDataset.scan(csv));
        assertTrue(e.getMessage().contains("no usable videos") && e.getMessage().contains("gone.mp4"), e.getMessage());
        Files.createDirectories(dir.resolve("blank"));
        e = assertThrows(IOException.class, () -> VideoDataset.scan(dir.resolve("blank")));
        assertTrue(e.getMessage().contains("blank"), e.getMessage());
    }

    @Test
    void stratifiedSplitIsSeededAndNonEmpty() throws IOException {
        for (String c : List.of("a", "b", "c")) for (int i = 0; i < 10; i++) file("s/" + c + "/" + i + ".mp4");
        VideoDataset d = VideoDataset.scan(dir.resolve("s"));
        VideoDataset.Split sp = d.split(0.2, 1);
        assertEquals(24, sp.train().size());
        assertEquals(6, sp.val().size());
        for (int c = 0; c < 3; c++) {
            int cc = c;
            assertEquals(2, sp.val().stream().filter(x -> x.label() == cc).count(), "2 per class in val");
        }
        assertTrue(new HashSet<>(sp.train()).stream().noneMatch(sp.val()::contains));
        assertEquals(sp, d.split(0.2, 1));
        assertFalse(sp.val().equals(d.split(0.2, 2).val()));
        VideoDataset tiny = VideoDataset.of(List.of(new Sample(Path.of("x"), 0), new Sample(Path.of("y"), 1)), LabelMap.sorted(List.of("p", "q")));
        VideoDataset.Split ts = tiny.split(0.1, 3);
        assertEquals(1, ts.train().size());
        assertEquals(1, ts.val().size());
    }

    @Test
    void labelMapRoundTripsThroughId2Label() {
        LabelMap m = LabelMap.sorted(List.of("up", "down", "left", "down"));
        assertEquals(List.of("down", "left", "up"), m.names());
        assertEquals(Map.of(0, "down", 1, "left", 2, "up"), m.id2label());
        assertEquals(m, LabelMap.fromId2Label(m.id2label()));
        assertEquals(-1, m.indexOf("right"));
        assertThrows(IllegalArgumentException.class, () -> LabelMap.of(List.of("a", "a")));
    }
}
