package io.timesformer4j.app;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/**
 * A PNG of masked video modelling at work: per clip three rows, the original frames, the frames as the encoder
 * sees them (masked patches grey) and the reconstruction (visible patches as they are, masked patches predicted),
 * for up to 4 frames evenly spread over the clip.
 */
public final class ReconstructionPng {
    static {
        System.setProperty("java.awt.headless", "true");
    }

    private ReconstructionPng() {}

    /**
     * @param original {@code (K, T, 3, H, W)} pixels in [0, 1]
     * @param rec      the same shape: the reconstruction
     * @param masked   per clip, masked flags per patch position (row-major grid)
     */
    public static void write(float[] original, float[] rec, boolean[][] masked, int k, int t, int h, int w, int patch,
                             String title, Path png) throws IOException {
        int frames = Math.min(4, t);
        int scale = Math.max(1, (int) Math.ceil(96.0 / Math.max(h, w)));
        int cw = w * scale, chh = h * scale, gap = 4, left = 110, top = 24;
        int width = left + frames * (cw + gap), height = top + k * (3 * (chh + gap) + 8);
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(title, 4, 16);
        String[] rows = {"original", "masked", "reconstruction"};
        int gw = w / patch;
        for (int c = 0; c < k; c++) {
            for (int r = 0; r < 3; r++) {
                int y0 = top + c * (3 * (chh + gap) + 8) + r * (chh + gap);
                g.setColor(Color.BLACK);
                g.drawString((r == 0 ? "clip " + (c + 1) + " " : "") + rows[r], 4, y0 + chh / 2 + 4);
                for (int f = 0; f < frames; f++) {
                    int ti = frames == 1 ? 0 : f * (t - 1) / (frames - 1);
                    int x0 = left + f * (cw + gap);
                    float[] src = r == 2 ? rec : original;
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            int rgb;
                            if (r == 1 && masked[c][(y / patch) * gw + x / patch]) {
                                rgb = 0x808080;
                            } else {
                                int base = ((c * t + ti) * 3) * h * w + y * w + x;
                                rgb = (byte8(src[base]) << 16) | (byte8(src[base + h * w]) << 8) | byte8(src[base + 2 * h * w]);
                            }
                            for (int dy = 0; dy < scale; dy++)
                                for (int dx = 0; dx < scale; dx++) img.setRGB(x0 + x * scale + dx, y0 + y * scale + dy, rgb);
                        }
                    }
                }
            }
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp");
        ImageIO.write(img, "png", tmp.toFile());
        Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int byte8(float v) {
        return Math.max(0, Math.min(255, Math.round(v * 255f)));
    }
}
