package io.timesformer4j.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * A frame image checked without decoding it, for the dataset scan: is it complete and well formed by its own
 * structure? PNG: the signature, an IHDR chunk first, every chunk inside the file with a correct CRC-32, an
 * IDAT chunk and an IEND chunk (a cut or bit-flipped PNG fails here: every byte of a PNG is covered by a chunk
 * CRC). JPEG: the start-of-image marker and an end-of-image marker near the end (a cut JPEG has none; JPEG
 * has no checksum, so flipped bytes inside the data are found only when decoded). BMP, WebP: signature and the
 * declared file size; TIFF: signature.
 *
 * <p>Cost: PNG reads the whole file once and CRCs it (no inflate, no pixels); the other formats read the first
 * and last bytes only. See docs/robustness.md for the measured cost against decoding every frame.
 */
final class ImageHeaders {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /** JPEG writers may put a few bytes after the end-of-image marker; look for it this far from the end. */
    private static final int JPEG_TAIL = 1024;

    private ImageHeaders() {}

    /**
     * @return {@code {width, height}} when the header gives them cheaply (PNG, BMP), else null
     * @throws VideoException naming the file and what is wrong with it
     */
    static int[] check(Path file) throws VideoException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) throw new VideoException(file, "empty image file (0 bytes)");
            if (name.endsWith(".png")) return png(file, ch, size);
            if (name.endsWith(".jpg") || name.endsWith(".jpeg")) return jpeg(file, ch, size);
            if (name.endsWith(".bmp")) return bmp(file, ch, size);
            if (name.endsWith(".webp")) return webp(file, ch, size);
            if (name.endsWith(".tif") || name.endsWith(".tiff")) return tiff(file, ch, size);
            return null;
        } catch (VideoException e) {
            throw e;
        } catch (IOException e) {
            throw new VideoException(file, "cannot read image (" + e.getMessage() + ")", e);
        }
    }

    private static int[] png(Path file, FileChannel ch, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 16) throw new VideoException(file, "PNG image of " + size + " bytes is too large");
        ByteBuffer b = read(ch, 0, (int) size);
        for (int i = 0; i < PNG_SIGNATURE.length; i++) {
            if (size <= i || b.get(i) != PNG_SIGNATURE[i]) throw new VideoException(file, "not a PNG image (bad signature)");
        }
        long pos = 8;
        int w = -1, h = -1;
        boolean idat = false;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos + 12 > size) {
                throw new VideoException(file, "truncated PNG image: it ends at byte " + size + " without an IEND chunk");
            }
            long len = b.getInt((int) pos) & 0xffffffffL;
            String type = new String(new byte[] {b.get((int) pos + 4), b.get((int) pos + 5), b.get((int) pos + 6),
                    b.get((int) pos + 7)}, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (pos + 12 + len > size) {
                throw new VideoException(file, "truncated PNG image: chunk '" + printable(type) + "' at byte " + pos + " needs "
                        + len + " data bytes, the file ends at byte " + size);
            }
            if (pos == 8 && (!type.equals("IHDR") || len != 13)) throw new VideoException(file, "damaged PNG image: no IHDR chunk first");
            crc.reset();
            crc.update(b.duplicate().position((int) pos + 4).limit((int) (pos + 8 + len)));
            long stored = b.getInt((int) (pos + 8 + len)) & 0xffffffffL;
            if (crc.getValue() != stored) {
                throw new VideoException(file, "damaged PNG image: chunk '" + printable(type) + "' at byte " + pos + " fails its CRC-32 check");
            }
            if (type.equals("IHDR")) {
                w = b.getInt((int) pos + 8);
                h = b.getInt((int) pos + 12);
                if (w <= 0 || h <= 0) throw new VideoException(file, "damaged PNG image: size " + w + "x" + h);
            } else if (type.equals("IDAT")) {
                idat = true;
            } else if (type.equals("IEND")) {
                if (!idat) throw new VideoException(file, "damaged PNG image: no image data (IDAT chunk)");
                return new int[] {w, h};
            }
            pos += 12 + len;
        }
    }

    private static int[] jpeg(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer head = read(ch, 0, (int) Math.min(size, 3));
        if (size < 4 || (head.get(0) & 0xff) != 0xff || (head.get(1) & 0xff) != 0xd8 || (head.get(2) & 0xff) != 0xff) {
            throw new VideoException(file, "not a JPEG image (no start-of-image marker)");
        }
        int n = (int) Math.min(size, JPEG_TAIL);
        ByteBuffer tail = read(ch, size - n, n);
        for (int i = n - 2; i >= 0; i--) {
            if ((tail.get(i) & 0xff) == 0xff && (tail.get(i + 1) & 0xff) == 0xd9) return null;
        }
        throw new VideoException(file, "truncated JPEG image: no end-of-image marker in its last " + n + " bytes");
    }

    private static int[] bmp(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer b = read(ch, 0, (int) Math.min(size, 26)).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 26 || b.get(0) != 'B' || b.get(1) != 'M') throw new VideoException(file, "not a BMP image (bad signature)");
        long declared = b.getInt(2) & 0xffffffffL;
        if (declared > size) throw new VideoException(file, "truncated BMP image: " + declared + " bytes declared, " + size + " in the file");
        return new int[] {b.getInt(18), Math.abs(b.getInt(22))};
    }

    private static int[] webp(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer b = read(ch, 0, (int) Math.min(size, 12)).order(ByteOrder.LITTLE_ENDIAN);
        if (size < 12 || b.get(0) != 'R' || b.get(1) != 'I' || b.get(2) != 'F' || b.get(3) != 'F'
                || b.get(8) != 'W' || b.get(9) != 'E' || b.get(10) != 'B' || b.get(11) != 'P') {
            throw new VideoException(file, "not a WebP image (bad RIFF header)");
        }
        long declared = (b.getInt(4) & 0xffffffffL) + 8;
        if (declared > size) throw new VideoException(file, "truncated WebP image: " + declared + " bytes declared, " + size + " in the file");
        return null;
    }

    private static int[] tiff(Path file, FileChannel ch, long size) throws IOException {
        ByteBuffer b = read(ch, 0, (int) Math.min(size, 4));
        boolean le = size >= 4 && b.get(0) == 'I' && b.get(1) == 'I' && b.get(2) == 42 && b.get(3) == 0;
        boolean be = size >= 4 && b.get(0) == 'M' && b.get(1) == 'M' && b.get(2) == 0 && b.get(3) == 42;
        if (!le && !be) throw new VideoException(file, "not a TIFF image (bad signature)");
        return null;
    }

    private static ByteBuffer read(FileChannel ch, long at, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) break;
        }
        b.flip();
        if (b.limit() < n) throw new IOException("file shrank while being read");
        return b;
    }

    private static String printable(String type) {
        return type.chars().allMatch(c -> c >= 0x21 && c < 0x7f) ? type : "?";
    }
}
