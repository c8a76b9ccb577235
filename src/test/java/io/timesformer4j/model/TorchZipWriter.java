package io.timesformer4j.model;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Test helper: writes what {@code torch.save(model.state_dict(), f)} writes (zip with {@code data.pkl}
 * pickling an {@code OrderedDict} of {@code _rebuild_tensor_v2} tensors, protocol 2), optionally wrapped
 * as {@code {'model_state': OrderedDict, 'epoch': 1}} like official checkpoints. Float32 tensors only.
 */
final class TorchZipWriter {
    private TorchZipWriter() {}

    static void write(Path file, Map<String, Tensor> sd, boolean wrapModelState) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        if (wrapModelState) {
            p.write('}');
            p.write('(');
            str(p, "model_state");
        }
        global(p, "collections", "OrderedDict");
        p.write(')');
        p.write('R');
        p.write('(');
        int key = 0;
        for (var e : sd.entrySet()) {
            Tensor t = e.getValue().contiguous();
            str(p, e.getKey());
            global(p, "torch._utils", "_rebuild_tensor_v2");
            p.write('(');
            p.write('(');                        // persistent id tuple
            str(p, "storage");
            global(p, "torch", "FloatStorage");
            str(p, Integer.toString(key++));
            str(p, "cpu");
            integer(p, t.numel());
            p.write('t');
            p.write('Q');
            integer(p, 0);                       // storage offset
            p.write('(');
            for (int i = 0; i < t.dim(); i++) integer(p, t.size(i));
            p.write('t');
            p.write('(');
            for (int i = 0; i < t.dim(); i++) integer(p, t.stride(i));
            p.write('t');
            p.write(0x89);                       // requires_grad False
            global(p, "collections", "OrderedDict");
            p.write(')');
            p.write('R');
            p.write('t');
            p.write('R');
        }
        p.write('u');
        if (wrapModelState) {
            str(p, "epoch");
            integer(p, 1);
            p.write('u');
        }
        p.write('.');
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            entry(z, "archive/data.pkl", p.toByteArray());
            key = 0;
            for (Tensor t : sd.values()) {
                Tensor c = t.contiguous();
                byte[] b = new byte[(int) c.nbytes()];
                new BytePointer(c.data_ptr()).capacity(b.length).get(b);
                entry(z, "archive/data/" + key++, b);
            }
            entry(z, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** A pickle calling {@code os.system}: the reader must refuse it. */
    static void writeMalicious(Path file) throws IOException {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(new byte[] {(byte) 0x80, 2});
        global(p, "os", "system");
        p.write('(');
        str(p, "echo pwned");
        p.write('t');
        p.write('R');
        p.write('.');
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            entry(z, "archive/data.pkl", p.toByteArray());
        }
    }

    private static void entry(ZipOutputStream z, String name, byte[] b) throws IOException {
        z.putNextEntry(new ZipEntry(name));
        z.write(b);
        z.closeEntry();
    }

    private static void global(OutputStream p, String module, String name) throws IOException {
        p.write('c');
        p.write((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private static void str(OutputStream p, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        p.write(new byte[] {(byte) b.length, (byte) (b.length >> 8), (byte) (b.length >> 16), (byte) (b.length >> 24)});
        p.write(b);
    }

    private static void integer(OutputStream p, long v) throws IOException {
        p.write('J');
        int i = (int) v;
        p.write(new byte[] {(byte) i, (byte) (i >> 8), (byte) (i >> 16), (byte) (i >> 24)});
    }
}
