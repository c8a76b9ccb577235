package io.timesformer4j.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EventFileWriterTest {
    /** The published CRC-32C check value, and the masked form TFRecord stores. */
    @Test
    void crc32cMatchesTheKnownVectorAndTheWriter() {
        byte[] nine = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283, TfEvents.crc32c(nine));
        assertEquals(TfEvents.masked(0xE3069283), EventFileWriter.maskedCrc32c(nine, 0, nine.length));
    }

    @Test
    void scalarsReadBackThroughTheTensorBoardFraming(@TempDir Path dir) throws IOException {
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir, 1_700_000_000.25)) {
            file = w.file();
            w.scalar("train/loss", 0.6931, 1, 1_700_000_001.0);
            w.scalar("epoch/val_acc", 0.75, 300, 1_700_000_002.0);
            w.scalar("train/lr", 1e-4, 1L << 40, 1_700_000_003.0);         // a step past 32 bits: a 6-byte varint
        }
        assertTrue(file.getFileName().toString().startsWith("events.out.tfevents.1700000000."), file.toString());
        List<TfEvents.Event> ev = TfEvents.read(file);
        assertEquals(4, ev.size());
        assertEquals("brain.Event:2", ev.get(0).fileVersion());
        assertEquals(1_700_000_000.25, ev.get(0).wallTime());
        assertEquals(new TfEvents.Scalar("train/loss", 0.6931f), ev.get(1).scalars().get(0));
        assertEquals(1, ev.get(1).step());
        assertEquals(new TfEvents.Scalar("epoch/val_acc", 0.75f), ev.get(2).scalars().get(0));
        assertEquals(300, ev.get(2).step());
        assertEquals(1L << 40, ev.get(3).step());
        assertEquals(1e-4f, ev.get(3).scalars().get(0).value());
        assertEquals(1_700_000_003.0, ev.get(3).wallTime());

        // a flipped byte is caught by the data CRC, as TensorBoard's reader would
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length - 6] ^= 1;
        Path bad = dir.resolve("events.out.tfevents.bad");
        Files.write(bad, bytes);
        assertThrows(IOException.class, () -> TfEvents.read(bad));
    }

    /** When TensorBoard is installed (not on CI), its own loader reads the file: tags, steps and values. */
    @Test
    void tensorboardsOwnReaderAgreesWhenInstalled(@TempDir Path dir) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(python("import tensorboard") == 0, "tensorboard not installed for python3");
        Path file;
        try (EventFileWriter w = new EventFileWriter(dir, 1_700_000_000)) {
            file = w.file();
            w.scalar("epoch/val_acc", 0.75, 7, 1_700_000_001.0);
        }
        Path out = dir.resolve("read.txt");
        int rc = python("from tensorboard.backend.event_processing.event_file_loader import EventFileLoader\n"
                + "from tensorboard.util import tensor_util\n"
                + "o = open(r'" + out + "', 'w')\n"
                + "for e in EventFileLoader(r'" + file + "').Load():\n"
                + "    for v in e.summary.value:\n"
                + "        x = v.simple_value if v.HasField('simple_value') else float(tensor_util.make_ndarray(v.tensor))\n"
                + "        o.write('%s %d %.4f\\n' % (v.tag, e.step, x))\n"
                + "o.close()\n");
        assertEquals(0, rc);
        assertEquals(List.of("epoch/val_acc 7 0.7500"), Files.readAllLines(out));
    }

    private static int python(String code) throws Exception {
        try {
            Process p = new ProcessBuilder("python3", "-c", code).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor();
        } catch (IOException e) {
            return -1;                                   // no python3
        }
    }
}
