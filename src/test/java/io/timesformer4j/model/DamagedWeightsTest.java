package io.timesformer4j.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.timesformer4j.fuzz.Pickles;
import io.timesformer4j.fuzz.RawSafetensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weights files that used to load wrong without a word, or fail with a stack overflow / OOM / libtorch trace. */
class DamagedWeightsTest {
    private static final Path DIVIDED = Fixtures.dir("tiny_divided_space_time");
    @TempDir Path dir;

    private static String refused(Executable e) {
        WeightsException x = assertThrows(WeightsException.class, e::run);
        assertTrue(!x.getMessage().contains("\n"), "one line: " + x.getMessage());
        return x.getMessage();
    }

    interface Executable {
        void run() throws Exception;
    }

    // ---- safetensors ----

    @Test
    void headerLengthOneByteShortIsRefused() throws Exception {
        byte[] all = Files.readAllBytes(DIVIDED.resolve("model.safetensors"));
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long n = b.getLong(0);
        for (long len : new long[] {n - 1, n + 1}) {
            b.putLong(0, len);
            Path f = Files.write(dir.resolve("shifted.safetensors"), all);
            String m = refused(() -> SafeTensors.read(f));
            assertTrue(m.contains("shifted.safetensors") && m.contains("data"), m);
        }
    }

    @Test
    void floatOffsetsShapesTrailingBytesAndDuplicateKeysAreRefused() throws Exception {
        byte[] data = RawSafetensors.floats(1, 2, 3, 4);
        Path ok = RawSafetensors.write(dir.resolve("ok.safetensors"),
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}", data, -1);
        assertEquals(4, SafeTensors.read(ok).get("a").numel());
        String[][] cases = {
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0.0,16.0]}}", "data_offsets"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2.0,2],\"data_offsets\":[0,16]}}", "shape"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", "Duplicate"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", "gap"},
            {"{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", "trailing"},
        };
        for (String[] c : cases) {
            Path f = RawSafetensors.write(dir.resolve("bad.safetensors"), c[0], data, -1);
            String m = refused(() -> SafeTensors.read(f));
            assertTrue(m.contains("bad.safetensors") && m.contains(c[1]), c[0] + " -> " + m);
        }
        Path trailing = dir.resolve("trailing.safetensors");
        Files.write(trailing, java.util.Arrays.copyOf(Files.readAllBytes(ok), Files.readAllBytes(ok).length + 3));
        assertTrue(refused(() -> SafeTensors.read(trailing)).contains("3 trailing bytes"));
    }

    /** A parameter stored as I32/F16/U8/BOOL where the model wants floats, or holding NaN/Inf: an error naming it. */
    @Test
    void wrongDtypesAndNonFiniteValuesNameTheTensor() throws Exception {
        String key = "timesformer.encoder.layer.0.intermediate.dense.weight";
        Map<String, Tensor> sd = SafeTensors.read(DIVIDED.resolve("model.safetensors"));
        Object[][] cases = {
            {sd.get(key).to(torch.ScalarType.Int), "Int"},
            {sd.get(key).to(torch.ScalarType.Half), "Half"},
            {sd.get(key).to(torch.ScalarType.Byte), "Byte"},
            {sd.get(key).to(torch.ScalarType.Bool), "Bool"},
            {sd.get(key).mul(new org.bytedeco.pytorch.Scalar(Float.NaN)), "non-finite"},
            {sd.get(key).add(new org.bytedeco.pytorch.Scalar(Float.POSITIVE_INFINITY)), "non-finite"},
        };
        for (Object[] c : cases) {
            Path m = Files.createDirectories(dir.resolve("m" + c[1]));
            Files.copy(DIVIDED.resolve("config.json"), m.resolve("config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Map<String, Tensor> edited = new LinkedHashMap<>(sd);
            edited.put(key, (Tensor) c[0]);
            SafeTensors.write(m.resolve("model.safetensors"), edited, Map.of("format", "pt"));
            String msg = refused(() -> ModelDir.load(m));
            assertTrue(msg.contains(key) && msg.contains((String) c[1]), msg);
        }
        // a checkpoint saved entirely in half precision still loads (one floating type for every parameter)
        Path half = Files.createDirectories(dir.resolve("half"));
        Files.copy(DIVIDED.resolve("config.json"), half.resolve("config.json"));
        Map<String, Tensor> h = new LinkedHashMap<>();
        sd.forEach((k, v) -> h.put(k, v.to(torch.ScalarType.Half)));
        SafeTensors.write(half.resolve("model.safetensors"), h, Map.of("format", "pt"));
        assertEquals(sd.size(), ModelDir.load(half).model().stateDict().size());
    }

    // ---- pickles ----

    private Path ckpt(Pickles p, Map<String, byte[]> storages) throws Exception {
        return Pickles.zip(dir.resolve("x.pth"), p.bytes(), storages);
    }

    @Test
    void selfContainingAndDeepPicklesAreRefusedWithTheOffset() throws Exception {
        // l = []; l.append(l)
        Path self = ckpt(new Pickles().op(']').op('q').op(0).op('h').op(0).op('a'), Map.of());
        assertTrue(refused(() -> TorchCheckpoint.read(self)).contains("contains itself"));
        // {[...]: 1}: a list as a dict key (Python refuses it too; hashing a self-containing one overflowed the stack)
        Path key = ckpt(new Pickles().op('}').op(']').integer(1).op('s'), Map.of());
        assertTrue(refused(() -> TorchCheckpoint.read(key)).contains("dict key"));
        // 50,000 nested tuples
        Pickles deep = new Pickles();
        for (int i = 0; i < 50_000; i++) deep.op('(');
        for (int i = 0; i < 50_000; i++) deep.op('t');
        Path d = ckpt(deep, Map.of());
        String m = refused(() -> TorchCheckpoint.read(d));
        assertTrue(m.contains("x.pth") && m.contains("offset") && m.contains("nested"), m);
    }

    @Test
    void zipEntryInflatingPastTheLimitIsRefused() throws Exception {
        Path bomb = Pickles.zipBomb(dir.resolve("bomb.pth"), TorchCheckpoint.MAX_PICKLE_BYTES + (1 << 20));
        assertTrue(Files.size(bomb) < 1 << 20);
        String m = refused(() -> TorchCheckpoint.read(bomb));
        assertTrue(m.contains("bomb.pth") && m.contains("data.pkl"), m);
    }

    @Test
    void hostileViewsAreRefusedWithTheStorageKey() throws Exception {
        byte[] four = RawSafetensors.floats(1, 2, 3, 4);
        Object[][] cases = {
            // size/stride whose extent overflows a long
            {new long[] {1L << 62, 4}, new long[] {4, 1}, 4L, "overflows"},
            // 2^40 elements of stride 0 over a 4-element storage
            {new long[] {1L << 20, 1L << 20}, new long[] {0, 0}, 4L, "more than its storage"},
            // reads past the storage
            {new long[] {3, 2}, new long[] {2, 1}, 4L, "reads past"},
        };
        for (Object[] c : cases) {
            Pickles p = new Pickles().op('}').str("w").tensor("FloatStorage", "0", (Long) c[2], 0, (long[]) c[0], (long[]) c[1]).op('s');
            Path f = ckpt(p, Map.of("0", four));
            String m = refused(() -> TorchCheckpoint.read(f));
            assertTrue(m.contains("x.pth") && m.contains("storage '0'") && m.contains((String) c[3]), m);
        }
        // storage "0" first as 4 floats, then re-declared as 1000
        Pickles p = new Pickles().op('}').op('(')
                .str("a").tensor("FloatStorage", "0", 4, 0, new long[] {4}, new long[] {1})
                .str("b").tensor("FloatStorage", "0", 1000, 0, new long[] {1000}, new long[] {1}).op('u');
        Path f = ckpt(p, Map.of("0", four));
        String m = refused(() -> TorchCheckpoint.read(f));
        assertTrue(m.contains("storage '0'") && m.contains("1000"), m);
    }

    @Test
    void aPickledIntStorageForAParameterIsRefused() throws Exception {
        Map<String, Tensor> sd = SafeTensors.read(DIVIDED.resolve("model.safetensors"));
        String key = "classifier.weight";
        Path m = Files.createDirectories(dir.resolve("bin"));
        Files.copy(DIVIDED.resolve("config.json"), m.resolve("config.json"));
        Pickles p = new Pickles().global("collections", "OrderedDict").op(')').op('R').op('(');
        Map<String, byte[]> storages = new LinkedHashMap<>();
        int i = 0;
        for (var e : sd.entrySet()) {
            Tensor t = e.getValue().contiguous();
            long[] shape = t.sizes().vec().get(), stride = t.strides().vec().get();
            p.str(e.getKey()).tensor(e.getKey().equals(key) ? "IntStorage" : "FloatStorage", Integer.toString(i), t.numel(), 0, shape, stride);
            byte[] b = new byte[(int) t.nbytes()];
            new org.bytedeco.javacpp.BytePointer(t.data_ptr()).capacity(b.length).get(b);
            storages.put(Integer.toString(i++), b);
        }
        p.op('u');
        Pickles.zip(m.resolve("pytorch_model.bin"), p.bytes(), storages);
        String msg = refused(() -> ModelDir.load(m));
        assertTrue(msg.contains(key) && msg.contains("Int"), msg);
    }
}
