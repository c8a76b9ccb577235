package io.timesformer4j.model;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import static org.bytedeco.pytorch.global.torch.empty;

/**
 * Reads {@code torch.save} files in the zip format ({@code <name>/data.pkl} + {@code <name>/data/<key>}
 * storages) with a small pickle interpreter that knows only the opcodes and the few globals
 * {@code torch.save} uses for tensors, dicts and {@code OrderedDict}s. Any other global is refused with
 * an error naming it and its offset: nothing from the file is ever executed.
 *
 * <p>Result objects: {@code Map<Object,Object>} (dict, OrderedDict), {@code List<Object>} (list),
 * {@link PyTuple}, {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code null},
 * {@code byte[]} and {@link Tensor} (copied out of the file).
 */
public final class TorchCheckpoint {
    /** A Python tuple. */
    public record PyTuple(List<Object> items) {}

    private record Global(String module, String name) {
        String qualified() {
            return module + "." + name;
        }
    }

    private record StorageRef(DTypes dtype, String key, long numel) {}

    private static final Set<String> ALLOWED = Set.of(
            "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
            "torch._tensor._rebuild_from_type_v2", "torch.Tensor", "torch.nn.parameter.Parameter");

    /** data.pkl larger than this is refused (a ViT-L state dict's pickle is about 100 KB). */
    static final long MAX_PICKLE_BYTES = 64L << 20;
    /** Containers nested deeper than this are refused (torch.save writes depth 3-4). */
    static final int MAX_NESTING = 1000;
    /** A deflated storage entry may inflate at most this much (torch.save stores entries uncompressed). */
    static final long MAX_INFLATE_RATIO = 1100;

    private TorchCheckpoint() {}

    /** Reads the whole pickled object of a zip-format {@code torch.save} file. */
    public static Object read(Path file) throws WeightsException {
        if (!Files.isRegularFile(file)) throw new WeightsException(file + ": no such file");
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("data.pkl") && (name.equals("data.pkl") || name.endsWith("/data.pkl"))) {
                    String p = name.substring(0, name.length() - "data.pkl".length());
                    if (prefix == null || p.length() < prefix.length()) prefix = p;
                }
            }
            if (prefix == null) throw new WeightsException(file + ": zip file without data.pkl (not a torch.save file)");
            ZipEntry bo = zip.getEntry(prefix + "byteorder");
            if (bo != null) {
                String order = new String(readAtMost(file, zip, bo, 64), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) throw new WeightsException(file + ": byteorder '" + order + "' is not supported");
            }
            ZipEntry pe = zip.getEntry(prefix + "data.pkl");
            byte[] pkl = readAtMost(file, zip, pe, MAX_PICKLE_BYTES);
            java.util.zip.CRC32 crc = new java.util.zip.CRC32();
            crc.update(pkl);
            if (pe.getCrc() != -1 && crc.getValue() != pe.getCrc())
                throw new WeightsException(file + ": zip entry '" + pe.getName() + "' fails its CRC-32 check (damaged file)");
            try {
                return new Unpickler(file, zip, prefix, pkl).load();
            } catch (StackOverflowError e) {     // last resort; nesting is bounded below MAX_NESTING already
                throw new WeightsException(file + ": " + prefix + "data.pkl nests too deeply to read");
            }
        } catch (ZipException e) {
            throw new WeightsException(file + ": not a readable zip-format torch checkpoint (truncated, damaged, or the "
                    + "legacy pre-1.6 format): " + e.getMessage());
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /** An entry's bytes, refusing more than {@code limit} (a zip entry may inflate to gigabytes). */
    private static byte[] readAtMost(Path file, ZipFile zip, ZipEntry e, long limit) throws IOException {
        if (e.getSize() > limit)
            throw new WeightsException(file + ": zip entry '" + e.getName() + "' is " + e.getSize() + " bytes (limit " + limit + ")");
        try (InputStream is = zip.getInputStream(e)) {
            byte[] b = is.readNBytes((int) limit + 1);
            if (b.length > limit)
                throw new WeightsException(file + ": zip entry '" + e.getName() + "' inflates past " + limit + " bytes");
            return b;
        }
    }

    /**
     * The state dict inside a checkpoint: the top-level dict itself, or its {@code model_state},
     * {@code state_dict} or {@code model} entry. Non-tensor values are dropped.
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Tensor> stateDict(Path file) throws WeightsException {
        Object root = read(file);
        if (!(root instanceof Map)) throw new WeightsException(file + ": top-level object is not a dict");
        Map<Object, Object> m = (Map<Object, Object>) root;
        for (String k : new String[] {"model_state", "state_dict", "model"}) {
            if (m.get(k) instanceof Map) {
                m = (Map<Object, Object>) m.get(k);
                break;
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : m.entrySet()) if (e.getKey() instanceof String k && e.getValue() instanceof Tensor t) out.put(k, t);
        if (out.isEmpty()) throw new WeightsException(file + ": no tensors found in the checkpoint's state dict");
        return out;
    }

    static String firstLine(String m) {
        if (m == null) return "";
        int i = m.indexOf('\n');
        return i < 0 ? m : m.substring(0, i);
    }

    private static final class Unpickler {
        private static final Object MARK = new Object();
        private final Path file;
        private final ZipFile zip;
        private final String prefix;
        private final ByteBuffer in;
        private final List<Object> stack = new ArrayList<>();
        private final Map<Long, Object> memo = new HashMap<>();
        private final Map<String, Tensor> storages = new HashMap<>();
        private final Map<String, StorageRef> storageRefs = new HashMap<>();
        /** Nesting depth of every container built (lists, dicts, tuples), by identity. */
        private final java.util.IdentityHashMap<Object, Integer> depths = new java.util.IdentityHashMap<>();
        private int opPos;

        Unpickler(Path file, ZipFile zip, String prefix, byte[] data) {
            this.file = file;
            this.zip = zip;
            this.prefix = prefix;
            this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }

        private WeightsException error(String msg) {
            return new WeightsException(file + ": data.pkl offset " + opPos + ": " + msg);
        }

        Object load() throws IOException {
            try {
                while (true) {
                    opPos = in.position();
                    int op = in.get() & 0xff;
                    switch (op) {
                        case 0x80 -> in.get();                                        // PROTO
                        case 0x95 -> in.getLong();                                    // FRAME
                        case '.' -> {                                                 // STOP
                            if (stack.size() != 1) throw error("pickle stack holds " + stack.size() + " items at STOP");
                            return stack.get(0);
                        }
                        case '}' -> push(new LinkedHashMap<>());
                        case ']' -> push(new ArrayList<>());
                        case ')' -> push(new PyTuple(List.of()));
                        case '(' -> push(MARK);
                        case 'N' -> push(null);
                        case 0x88 -> push(Boolean.TRUE);
                        case 0x89 -> push(Boolean.FALSE);
                        case 'K' -> push((long) (in.get() & 0xff));
                        case 'M' -> push((long) (in.getShort() & 0xffff));
                        case 'J' -> push((long) in.getInt());
                        case 0x8a -> push(long1(in.get() & 0xff));
                        case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble());
                        case 'X' -> push(string(lenInt()));
                        case 0x8c -> push(string(in.get() & 0xff));
                        case 0x8d -> push(string(len8()));
                        case 'U' -> push(string(in.get() & 0xff));
                        case 'T' -> push(string(lenInt()));
                        case 'C' -> push(bytes(in.get() & 0xff));
                        case 'B' -> push(bytes(lenInt()));
                        case 'q' -> memo.put((long) (in.get() & 0xff), peek());
                        case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                        case 0x94 -> memo.put((long) memo.size(), peek());
                        case 'h' -> push(memoGet(in.get() & 0xff));
                        case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                        case 'c' -> push(global(line(), line()));
                        case 0x93 -> {
                            Object name = pop(), module = pop();
                            if (!(name instanceof String n) || !(module instanceof String m)) throw error("bad STACK_GLOBAL");
                            push(global(m, n));
                        }
                        case 't' -> push(container(new PyTuple(popMark())));
                        case 0x85 -> push(container(new PyTuple(listOf(pop()))));
                        case 0x86 -> {
                            Object b = pop(), a = pop();
                            push(container(new PyTuple(listOf(a, b))));
                        }
                        case 0x87 -> {
                            Object c = pop(), b = pop(), a = pop();
                            push(container(new PyTuple(listOf(a, b, c))));
                        }
                        case 'l' -> push(container(new ArrayList<>(popMark())));
                        case 'd' -> {
                            List<Object> items = popMark();
                            Map<Object, Object> m = new LinkedHashMap<>();
                            for (int i = 0; i + 1 < items.size(); i += 2) m.put(key(items.get(i)), items.get(i + 1));
                            push(container(m));
                        }
                        case 'a' -> {
                            Object v = pop();
                            Object l = peek();
                            asList(l).add(v);
                            grow(l, v);
                        }
                        case 'e' -> {
                            List<Object> items = popMark();
                            Object l = peek();
                            asList(l).addAll(items);
                            for (Object v : items) grow(l, v);
                        }
                        case 's' -> {
                            Object v = pop(), k = pop();
                            Object m = peek();
                            asMap(m).put(key(k), v);
                            grow(m, v);
                        }
                        case 'u' -> {
                            List<Object> items = popMark();
                            Object mo = peek();
                            Map<Object, Object> m = asMap(mo);
                            for (int i = 0; i + 1 < items.size(); i += 2) {
                                m.put(key(items.get(i)), items.get(i + 1));
                                grow(mo, items.get(i + 1));
                            }
                        }
                        case 'Q' -> push(persistentLoad(pop()));
                        case 'R' -> {
                            Object args = pop(), fn = pop();
                            push(reduce(fn, args));
                        }
                        case 'b' -> {
                            Object state = pop();
                            Object target = peek();
                            if (!(target instanceof Map) && !(target instanceof Tensor))
                                throw error("BUILD on unsupported object " + describe(target));
                            // OrderedDict._metadata and tensor state carry nothing the weights need
                        }
                        default -> throw error(String.format("unsupported pickle opcode 0x%02x", op));
                    }
                }
            } catch (java.nio.BufferUnderflowException e) {
                throw error("pickle data ends early (truncated data.pkl)");
            } catch (IndexOutOfBoundsException e) {
                throw error("malformed pickle: " + e.getMessage());
            }
        }

        /** Records a new container's depth (1 + its deepest item); refuses nesting past {@link #MAX_NESTING}. */
        private Object container(Object c) throws WeightsException {
            int d = 0;
            Iterable<?> items = c instanceof PyTuple t ? t.items() : c instanceof List<?> l ? l : ((Map<?, ?>) c).values();
            for (Object x : items) d = Math.max(d, depth(x));
            setDepth(c, d + 1);
            return c;
        }

        /** {@code v} was put into container {@code c}: its depth grows to cover it (a container in itself is refused). */
        private void grow(Object c, Object v) throws WeightsException {
            if (v == c) throw error("a container that contains itself");
            int d = depth(v) + 1;
            if (d > depth(c)) setDepth(c, d);
        }

        private int depth(Object x) {
            if (x instanceof List || x instanceof Map || x instanceof PyTuple) return depths.getOrDefault(x, 1);
            return 0;
        }

        private void setDepth(Object c, int d) throws WeightsException {
            if (d > MAX_NESTING) throw error("containers nested more than " + MAX_NESTING + " deep");
            depths.put(c, d);
        }

        /** A dict key: only str, int, float, bool, None or a flat tuple of those, as in any state dict. */
        private Object key(Object k) throws WeightsException {
            if (k == null || k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean) return k;
            if (k instanceof PyTuple t) {
                for (Object x : t.items()) {
                    if (!(x == null || x instanceof String || x instanceof Long || x instanceof Double || x instanceof Boolean))
                        throw error("dict key is a tuple holding " + describe(x));
                }
                return k;
            }
            throw error("dict key of type " + describe(k) + " (state dicts are keyed by names)");
        }

        private static List<Object> listOf(Object... xs) {
            List<Object> l = new ArrayList<>();
            for (Object x : xs) l.add(x);
            return l;
        }

        private int lenInt() throws WeightsException {
            long n = in.getInt() & 0xffffffffL;
            if (n > in.remaining()) throw error("string length " + n + " beyond the end of data.pkl");
            return (int) n;
        }

        private int len8() throws WeightsException {
            long n = in.getLong();
            if (n < 0 || n > in.remaining()) throw error("string length " + n + " beyond the end of data.pkl");
            return (int) n;
        }

        private String string(int n) {
            byte[] b = bytes(n);
            return new String(b, StandardCharsets.UTF_8);
        }

        private byte[] bytes(int n) {
            byte[] b = new byte[n];
            in.get(b);
            return b;
        }

        private String line() throws WeightsException {
            StringBuilder sb = new StringBuilder();
            while (true) {
                byte c = in.get();
                if (c == '\n') return sb.toString();
                sb.append((char) c);
                if (sb.length() > 256) throw error("GLOBAL name too long");
            }
        }

        private long long1(int n) throws WeightsException {
            if (n > 8) throw error("LONG1 integer of " + n + " bytes is too large");
            long v = 0;
            for (int i = 0; i < n; i++) v |= (in.get() & 0xffL) << (8 * i);
            if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) v -= 1L << (8 * n);
            return v;
        }

        private Object memoGet(long k) throws WeightsException {
            if (!memo.containsKey(k)) throw error("memo key " + k + " not defined");
            return memo.get(k);
        }

        private Global global(String module, String name) throws WeightsException {
            String q = module + "." + name;
            if (ALLOWED.contains(q)) return new Global(module, name);
            if (module.equals("torch") && DTypes.byStorage(name) != null) return new Global(module, name);
            throw error("refusing pickle global '" + q + "': only tensors, dicts and OrderedDicts are read "
                    + "(no code from the file is executed)");
        }

        private void push(Object o) throws WeightsException {
            if (stack.size() >= 10_000_000) throw error("pickle stack grows past 10,000,000 items");
            stack.add(o);
        }

        private Object pop() throws WeightsException {
            if (stack.isEmpty()) throw error("pickle stack underflow");
            Object o = stack.remove(stack.size() - 1);
            if (o == MARK) throw error("unexpected MARK on the stack");
            return o;
        }

        private Object peek() throws WeightsException {
            if (stack.isEmpty()) throw error("pickle stack underflow");
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() throws WeightsException {
            int i = stack.size() - 1;
            while (i >= 0 && stack.get(i) != MARK) i--;
            if (i < 0) throw error("no MARK on the stack");
            List<Object> items = new ArrayList<>(stack.subList(i + 1, stack.size()));
            stack.subList(i, stack.size()).clear();
            return items;
        }

        @SuppressWarnings("unchecked")
        private List<Object> asList(Object o) throws WeightsException {
            if (o instanceof List) return (List<Object>) o;
            throw error("APPEND to " + describe(o));
        }

        @SuppressWarnings("unchecked")
        private Map<Object, Object> asMap(Object o) throws WeightsException {
            if (o instanceof Map) return (Map<Object, Object>) o;
            throw error("SETITEM on " + describe(o));
        }

        private static String describe(Object o) {
            return o == null ? "None" : o instanceof Global g ? g.qualified() : o.getClass().getSimpleName();
        }

        private Object persistentLoad(Object pid) throws WeightsException {
            if (!(pid instanceof PyTuple t) || t.items().size() < 5 || !"storage".equals(t.items().get(0)))
                throw error("unsupported persistent id " + describe(pid));
            List<Object> it = t.items();
            if (!(it.get(1) instanceof Global g) || DTypes.byStorage(g.name()) == null)
                throw error("unsupported storage type " + describe(it.get(1)));
            if (!(it.get(2) instanceof String key) || !(it.get(4) instanceof Long numel) || numel < 0)
                throw error("malformed storage reference");
            StorageRef ref = new StorageRef(DTypes.byStorage(g.name()), key, numel);
            StorageRef before = storageRefs.putIfAbsent(key, ref);
            if (before != null && !before.equals(ref))
                throw error("storage '" + key + "' is declared as " + numel + " x " + ref.dtype().torchStorage + " here but as "
                        + before.numel() + " x " + before.dtype().torchStorage + " before");
            return ref;
        }

        private Object reduce(Object fn, Object args) throws IOException {
            if (!(fn instanceof Global g)) throw error("REDUCE on a non-callable " + describe(fn));
            if (!(args instanceof PyTuple a)) throw error("REDUCE arguments are not a tuple");
            List<Object> x = a.items();
            switch (g.qualified()) {
                case "collections.OrderedDict" -> {
                    if (!x.isEmpty()) throw error("OrderedDict with constructor arguments is not supported");
                    return new LinkedHashMap<>();
                }
                case "torch._utils._rebuild_tensor_v2" -> {
                    return rebuildTensor(x);
                }
                case "torch._utils._rebuild_parameter" -> {
                    if (x.isEmpty() || !(x.get(0) instanceof Tensor t)) throw error("malformed _rebuild_parameter");
                    return t;
                }
                case "torch._tensor._rebuild_from_type_v2" -> {
                    if (x.size() < 3 || !(x.get(2) instanceof PyTuple inner)) throw error("malformed _rebuild_from_type_v2");
                    return reduce(x.get(0), inner);
                }
                default -> throw error("refusing to call '" + g.qualified() + "'");
            }
        }

        private Tensor rebuildTensor(List<Object> x) throws IOException {
            if (x.size() < 4 || !(x.get(0) instanceof StorageRef s) || !(x.get(1) instanceof Long offset)
                    || !(x.get(2) instanceof PyTuple size) || !(x.get(3) instanceof PyTuple stride)
                    || size.items().size() != stride.items().size())
                throw error("malformed _rebuild_tensor_v2 arguments");
            int n = size.items().size();
            if (n > 64) throw error("tensor with " + n + " dimensions in storage '" + s.key() + "'");
            long[] sz = new long[n], st = new long[n];
            long maxIndex = offset, numel = 1;
            boolean emptyTensor = false;
            for (int i = 0; i < n; i++) {
                if (!(size.items().get(i) instanceof Long a) || !(stride.items().get(i) instanceof Long b) || a < 0 || b < 0)
                    throw error("bad tensor size/stride in storage '" + s.key() + "' (integers >= 0 expected)");
                sz[i] = a;
                st[i] = b;
            }
            String view = "tensor of size " + java.util.Arrays.toString(sz) + " stride " + java.util.Arrays.toString(st)
                    + " offset " + offset + " on storage '" + s.key() + "' (" + s.numel() + " elements)";
            try {
                for (int i = 0; i < n; i++) {
                    numel = Math.multiplyExact(numel, sz[i]);
                    if (sz[i] == 0) emptyTensor = true;
                    else maxIndex = Math.addExact(maxIndex, Math.multiplyExact(sz[i] - 1, st[i]));
                }
            } catch (ArithmeticException e) {
                throw error(view + ": size or stride overflows");
            }
            if (offset < 0 || (!emptyTensor && maxIndex >= s.numel())) throw error(view + " reads past the storage");
            if (numel > Math.max(s.numel(), 1))
                throw error(view + " has " + numel + " elements, more than its storage (views that repeat elements are not read)");
            Tensor storage = storage(s);
            try {
                return storage.as_strided(sz, st, new LongOptional(offset)).contiguous();
            } catch (RuntimeException e) {
                throw error(view + ": " + firstLine(e.getMessage()));
            }
        }

        private Tensor storage(StorageRef s) throws IOException {
            Tensor cached = storages.get(s.key());
            if (cached != null) return cached;
            String name = prefix + "data/" + s.key();
            ZipEntry e = zip.getEntry(name);
            if (e == null) throw error("storage entry '" + name + "' is missing from the zip");
            long bytes;
            try {
                bytes = Math.multiplyExact(s.numel(), (long) s.dtype().size);
            } catch (ArithmeticException ex) {
                throw error("storage '" + s.key() + "' size overflows");
            }
            if (e.getSize() >= 0 && e.getSize() < bytes)
                throw error("storage '" + name + "' has " + e.getSize() + " bytes, needs " + bytes);
            if (e.getMethod() != ZipEntry.STORED && bytes > MAX_INFLATE_RATIO * Math.max(e.getCompressedSize(), 1) + (1 << 20))
                throw error("storage '" + name + "' would inflate " + e.getCompressedSize() + " compressed bytes to " + bytes);
            Tensor t;
            try {
                t = empty(new long[] {s.numel()}, new TensorOptions(s.dtype().scalarType), new MemoryFormatOptional());
            } catch (RuntimeException ex) {
                throw error("storage '" + name + "' of " + bytes + " bytes cannot be allocated: " + firstLine(ex.getMessage()));
            }
            if (bytes > 0) {
                ByteBuffer dst = new BytePointer(t.data_ptr()).capacity(bytes).asByteBuffer();
                byte[] buf = new byte[1 << 20];
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                try (InputStream is = zip.getInputStream(e)) {
                    while (dst.hasRemaining()) {
                        int r = is.read(buf, 0, Math.min(buf.length, dst.remaining()));
                        if (r < 0) throw error("storage '" + name + "' ends after " + dst.position() + " of " + bytes + " bytes");
                        dst.put(buf, 0, r);
                        crc.update(buf, 0, r);
                    }
                }
                // torch.save records each entry's CRC-32 (ZipFile checks it only for deflated entries)
                if (e.getCrc() != -1 && e.getSize() == bytes && crc.getValue() != e.getCrc())
                    throw error("storage '" + name + "' fails its CRC-32 check (damaged file)");
            }
            storages.put(s.key(), t);
            return t;
        }
    }
}
