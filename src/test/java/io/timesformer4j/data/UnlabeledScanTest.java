package io.timesformer4j.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link VideoDataset#scanUnlabeled}: every video at any depth, names and folders carry no labels. */
class UnlabeledScanTest {
    @TempDir
    Path dir;

    @Test
    void findsVideosAtAnyDepthAndReportsEmptyFiles() throws IOException {
        Files.createDirectories(dir.resolve("a/b"));
        Files.createDirectories(dir.resolve("frames/clip1"));
        for (String f : List.of("noprefix.mp4", "a/x.avi", "a/b/y.webm", "notes.txt"))
            Files.writeString(dir.resolve(f), "not empty");
        VideoDatasetTest.image(dir.resolve("frames/clip1/frame0001.png"));
        Files.createFile(dir.resolve("a/empty.mkv"));
        VideoDataset ds = VideoDataset.scanUnlabeled(dir);
        List<String> got = ds.samples().stream().map(s -> dir.relativize(s.path()).toString().replace('\\', '/')).sorted().toList();
        assertEquals(List.of("a/b/y.webm", "a/x.avi", "frames/clip1", "noprefix.mp4"), got);
        assertTrue(ds.samples().stream().allMatch(s -> s.label() == 0));
        assertEquals(List.of("video"), ds.labels().names());
        assertEquals(1, ds.problems().size());
        assertTrue(ds.problems().get(0).reason().contains("zero-byte"), ds.problems().toString());
    }

    @Test
    void noVideosIsOneClearError() throws IOException {
        Files.writeString(dir.resolve("readme.txt"), "x");
        IOException e = assertThrows(IOException.class, () -> VideoDataset.scanUnlabeled(dir));
        assertTrue(e.getMessage().startsWith(dir + ": no usable videos"), e.getMessage());
        e = assertThrows(IOException.class, () -> VideoDataset.scanUnlabeled(dir.resolve("missing")));
        assertTrue(e.getMessage().contains("no such file or folder"), e.getMessage());
    }
}
