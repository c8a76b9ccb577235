package io.timesformer4j.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Builds pickle bytes opcode by opcode (protocol 2, as {@code torch.save} writes) and packs them into a
 * zip-format checkpoint, so that tests can write hostile pickles no Python produced.
 */
public final class Pickles {
    private final ByteArrayOutputStream p = new ByteArrayOutputStream();

    public Pickles() {
        p.write(0x80);
        p.write(2);
    }

    public Pickles op(int c) {
        p.write(c);
        return this;
    }

    public Pickles global(String module, String name) {
        p.write('c');
        p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public Pickles str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        p.write('X');
        le32(b.length);
        p.writeBytes(b);
        return this;
    }

    /** An int: BININT for 32-bit values, LONG1 with 8 bytes otherwise. */
    public Pickles integer(long v) {
        if (v == (int) v) {
            p.write('J');
            le32((int) v);
        } else {
            p.write(0x8a);
            p.write(8);
            for (int i = 0; i < 8; i++) p.write((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    public Pickles ints(long... vs) {
        op('(');
        for (long v : vs) integer(v);
        return op('t');
    }

    /** {@code _rebuild_tensor_v2(storage(type, key, numel), offset, size, stride, False, OrderedDict())}. */
    public Pickles tensor(String storageType, String key, long numel, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2");
        op('(');
        op('(').str("storage").global("torch", storageType).str(key).str("cpu").integer(numel).op('t').op('Q');
        integer(offset);
        ints(size);
        ints(stride);
        op(0x89);
        global("collections", "OrderedDict").op(')').op('R');
        op('t').op('R');
        return this;
    }

    public byte[] bytes() {
        return p.toByteArray();
    }

    private void le32(int v) {
        for (int i = 0; i < 4; i++) p.write((v >>> (8 * i)) & 0xff);
    }

    /** A state dict pickle: {@code OrderedDict} with float tensors, each on its own storage {@code "0", "1", ...}. */
    public static Pickles stateDict(Map<String, long[]> shapes) {
        Pickles k = new Pickles().global("collections", "OrderedDict").op(')').op('R').op('(');
        int i = 0;
        for (var e : shapes.entrySet()) {
            long[] shape = e.getValue();
            long[] stride = new long[shape.length];
            long n = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = n;
                n *= shape[d];
            }
            k.str(e.getKey()).tensor("FloatStorage", Integer.toString(i++), n, 0, shape, stride);
        }
        return k.op('u');
    }

    /** Writes {@code archive/data.pkl} (the pickle + STOP) and the given storages, uncompressed like torch.save. */
    public static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        byte[] pkl = new byte[pickle.length + 1];
        System.arraycopy(pickle, 0, pkl, 0, pickle.length);
        pkl[pickle.length] = '.';
        entries.put("archive/data.pkl", pkl);
        storages.forEach((k, v) -> entries.put("archive/data/" + k, v));
        entries.put("archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            for (var e : entries.entrySet()) {
                ZipEntry ze = new ZipEntry(e.getKey());
                ze.setMethod(ZipEntry.STORED);
                ze.setSize(e.getValue().length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(e.getValue());
                ze.setCrc(crc.getValue());
                z.putNextEntry(ze);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return file;
    }

    /** A checkpoint whose data.pkl is deflated from {@code inflatedBytes} zero bytes (a zip bomb). */
    public static Path zipBomb(Path file, long inflatedBytes) throws IOException {
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(file))) {
            z.setLevel(9);
            z.putNextEntry(new ZipEntry("archive/data.pkl"));
            byte[] zeros = new byte[1 << 20];
            for (long w = 0; w < inflatedBytes; w += zeros.length) z.write(zeros, 0, (int) Math.min(zeros.length, inflatedBytes - w));
            z.closeEntry();
        }
        return file;
    }
}
