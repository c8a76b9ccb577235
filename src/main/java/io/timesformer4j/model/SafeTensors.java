package io.timesformer4j.model;

import io.timesformer4j.runtime.AtomicFiles;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.bytedeco.pytorch.global.torch.empty;

/**
 * The safetensors format (8-byte little-endian header length, JSON header, raw little-endian data),
 * read with full validation and written atomically. Validation as the reference loader: integer
 * shapes and offsets, no duplicate keys, and the tensors tile the data section exactly (a header length
 * one byte off, a gap, an overlap or trailing bytes are errors naming the file and the tensor).
 */
public final class SafeTensors {
    /** Headers above this size are refused (the reference implementation's limit). */
    public static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** Tensors in header order plus the {@code __metadata__} strings. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private SafeTensors() {}

    /** Reads every tensor (copied into libtorch memory, so nothing refers to the file afterwards). */
    public static Map<String, Tensor> read(Path file) throws WeightsException {
        return readContents(file).tensors();
    }

    /** Reads tensors and metadata. Errors name the file, the key and the offset. */
    public static Contents readContents(Path file) throws WeightsException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new WeightsException(file + ": not a safetensors file (" + size + " bytes, need at least 8)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0, file);
            long headerLen = lenBuf.getLong(0);
            if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8)
                throw new WeightsException(file + ": safetensors header length " + Long.toUnsignedString(headerLen)
                        + " at offset 0 is invalid (file has " + size + " bytes, limit " + MAX_HEADER_BYTES + ")");
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8, file);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                throw new WeightsException(file + ": safetensors header (offset 8, " + headerLen + " bytes) is not valid JSON: "
                        + e.getOriginalMessage());
            }
            if (header == null || !header.isObject())
                throw new WeightsException(file + ": safetensors header is not a JSON object");
            long dataStart = 8 + headerLen, dataLen = size - dataStart;
            Map<String, String> metadata = new TreeMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                var e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    if (!e.getValue().isObject()) throw new WeightsException(file + ": __metadata__ is not an object");
                    e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                entries.add(parseEntry(file, e.getKey(), e.getValue(), dataLen));
            }
            // As the reference loader: the tensors tile the data section exactly, in offset order, with no gap,
            // no overlap and nothing after the last one (a wrong header length shifts every offset).
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
            long pos = 0;
            for (Entry cur : byOffset) {
                if (cur.begin < pos)
                    throw new WeightsException(file + ": tensor '" + cur.key + "' (data offset " + cur.begin
                            + ") overlaps the tensor before it (ends at " + pos + ")");
                if (cur.begin > pos)
                    throw new WeightsException(file + ": tensor '" + cur.key + "' starts at data offset " + cur.begin
                            + " but the tensor before it ends at " + pos + " (gap of " + (cur.begin - pos)
                            + " bytes; the tensors must tile the data section)");
                pos = cur.end;
            }
            if (pos != dataLen)
                throw new WeightsException(file + ": the tensors end at data offset " + pos + " (file offset " + (dataStart + pos)
                        + ") but the data section holds " + dataLen + " bytes (" + (dataLen - pos)
                        + " trailing bytes, or a wrong header length " + headerLen + ")");
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                Tensor t = empty(e.shape, new TensorOptions(e.dtype.scalarType), new MemoryFormatOptional());
                long n = e.end - e.begin;
                if (n > 0) {
                    ByteBuffer dst = new BytePointer(t.data_ptr()).capacity(n).asByteBuffer();
                    readFully(ch, dst, dataStart + e.begin, file);
                }
                tensors.put(e.key, t);
            }
            return new Contents(tensors, metadata);
        } catch (NoSuchFileException e) {
            throw new WeightsException(file + ": no such file");
        } catch (WeightsException e) {
            throw e;
        } catch (IOException e) {
            throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private record Entry(String key, DTypes dtype, long[] shape, long begin, long end) {}

    private static Entry parseEntry(Path file, String key, JsonNode v, long dataLen) throws WeightsException {
        String where = file + ": tensor '" + key + "'";
        if (!v.isObject()) throw new WeightsException(where + ": header entry is not an object");
        DTypes dt = DTypes.bySafetensorsName(v.path("dtype").asText(""));
        if (dt == null) throw new WeightsException(where + ": unknown dtype '" + v.path("dtype").asText() + "'");
        JsonNode sh = v.get("shape"), off = v.get("data_offsets");
        if (sh == null || !sh.isArray()) throw new WeightsException(where + ": missing shape");
        if (off == null || !off.isArray() || off.size() != 2 || !isLong(off.get(0)) || !isLong(off.get(1)))
            throw new WeightsException(where + ": data_offsets must be [begin, end] (two integers), got " + off);
        if (sh.size() > 64) throw new WeightsException(where + ": shape has " + sh.size() + " dimensions");
        long[] shape = new long[sh.size()];
        long numel = 1;
        try {
            for (int i = 0; i < shape.length; i++) {
                if (!isLong(sh.get(i)) || sh.get(i).asLong() < 0)
                    throw new WeightsException(where + ": bad shape " + sh + " (dimensions must be integers >= 0)");
                shape[i] = sh.get(i).asLong();
                numel = Math.multiplyExact(numel, shape[i]);
            }
            numel = Math.multiplyExact(numel, (long) dt.size);
        } catch (ArithmeticException e) {
            throw new WeightsException(where + ": shape " + sh + " overflows");
        }
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLen)
            throw new WeightsException(where + ": data_offsets [" + begin + ", " + end + "] outside the data section ("
                    + dataLen + " bytes)");
        if (end - begin != numel)
            throw new WeightsException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes but shape " + sh + " of " + dt.safetensorsName + " needs " + numel);
        return new Entry(key, dt, shape, begin, end);
    }

    /** An integer JSON number that fits a long (not 1.0, not 1e3, not "1"). */
    private static boolean isLong(JsonNode n) {
        return n != null && n.isIntegralNumber() && n.canConvertToLong();
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long pos, Path file) throws IOException {
        while (dst.hasRemaining()) {
            int r = ch.read(dst, pos);
            if (r < 0) throw new WeightsException(file + ": unexpected end of file at offset " + pos);
            pos += r;
        }
    }

    /**
     * Writes the tensors (keys sorted, each made contiguous on the CPU) with {@code metadata} as
     * {@code __metadata__}; the file appears atomically (temp file + move).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        Map<String, Tensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode m = header.putObject("__metadata__");
            new TreeMap<>(metadata).forEach(m::put);
        }
        Map<String, Tensor> data = new LinkedHashMap<>();
        long offset = 0;
        for (var e : sorted.entrySet()) {
            Tensor t = e.getValue().detach().cpu().contiguous();
            DTypes dt = DTypes.of(t.scalar_type());
            long n = t.nbytes();
            ObjectNode o = header.putObject(e.getKey());
            o.put("dtype", dt.safetensorsName);
            var shape = o.putArray("shape");
            for (int i = 0; i < t.dim(); i++) shape.add(t.size(i));
            o.putArray("data_offsets").add(offset).add(offset + n);
            offset += n;
            data.put(e.getKey(), t);
        }
        byte[] hjson = JSON.writeValueAsBytes(header);
        int padded = (hjson.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(hjson);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();
        AtomicFiles.write(file, ch -> {
            while (head.hasRemaining()) ch.write(head);
            for (Tensor t : data.values()) {
                long n = t.nbytes();
                if (n == 0) continue;
                ByteBuffer src = new BytePointer(t.data_ptr()).capacity(n).asByteBuffer();
                while (src.hasRemaining()) ch.write(src);
            }
        });
    }
}
