package io.spikestream.view;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import io.spikestream.pipeline.job.Probabilities;
import io.spikestream.pipeline.job.WindowModel;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Renders a recording to pictures while streaming it: event frames of {@code dtUs} (ON and OFF in
 * two colours, a time label on each), appended one by one to an animated GIF and laid out at the
 * end as a PNG grid. Memory is bounded by the frame size times {@code maxFrames} (the grid), never
 * by the recording's length: reading stops at {@code maxFrames} or {@code toUs}.
 *
 * <p>With a model, each frame is captioned with the top class and probability of the model's
 * window that contains the frame's middle: the recording is framed with the model's own framing
 * and classified window by window with the membrane state carried, as the streaming job does. A
 * frame waits (at most one window's worth) until its window is classified.
 */
public final class RecordingRenderer {
    /** ON events: orange; OFF events: blue; both: towards white. Colour-blind safe. */
    static final int[] ON = {255, 165, 30};
    static final int[] OFF = {40, 140, 255};
    static final int LEVELS = 16;
    static final int STRIP = 13;
    /** Like the job's default: after a silence this long the membrane state starts fresh. */
    static final long STATE_RESET_GAP_US = 1_000_000;

    /** What to render. {@code fromUs}/{@code toUs} null: from the first event / to the end. */
    public record Options(long dtUs, Long fromUs, Long toUs, int maxFrames, double scale) {
        public Options {
            if (dtUs < 1) {
                throw new IllegalArgumentException("--dt-us must be positive, got " + dtUs);
            }
            if (maxFrames < 1 || maxFrames > 10_000) {
                throw new IllegalArgumentException("--max-frames must be in [1, 10000], got " + maxFrames);
            }
            if (!(scale > 0) || scale > 16) {
                throw new IllegalArgumentException("--scale must be in (0, 16], got " + scale);
            }
            if (fromUs != null && toUs != null && toUs <= fromUs) {
                throw new IllegalArgumentException("--to-us must be after --from-us");
            }
        }

        /** A scale that makes the sensor's longer side about 256 pixels (whole multiples for small sensors). */
        public static double autoScale(SensorGeometry g) {
            int side = Math.max(g.width(), g.height());
            return side <= 256 ? Math.max(1, 256 / side) : 256.0 / side;
        }
    }

    /** The outcome: frames written, events drawn, where the first frame starts, and whether {@code maxFrames} cut the recording short. */
    public record Summary(int frames, long events, long firstFrameUs, long endUs, boolean truncated, int windowsClassified,
                          double seconds, double cpuSeconds) {}

    private final Options options;
    private final SensorGeometry geometry;
    private final int gridW;
    private final int gridH;
    private final int tileW;
    private final int tileH;
    private final int frameH;
    private final boolean captions;
    private final IndexColorModel palette;
    private final int[] on;
    private final int[] off;
    private final double saturation;

    private RecordingRenderer(Options options, SensorGeometry geometry, boolean captions) {
        this.options = options;
        this.geometry = geometry;
        this.captions = captions;
        int fw = Math.max(1, (int) Math.round(geometry.width() * options.scale()));
        int fh = Math.max(1, (int) Math.round(geometry.height() * options.scale()));
        // counts at sensor resolution when enlarging, at output resolution when shrinking
        gridW = Math.min(geometry.width(), fw);
        gridH = Math.min(geometry.height(), fh);
        tileW = Math.max(fw, 64);
        frameH = fh;
        tileH = fh + STRIP * (captions ? 2 : 1);
        on = new int[gridW * gridH];
        off = new int[gridW * gridH];
        // events per cell at which a colour is nearly full: one event per sensor pixel the cell covers
        saturation = Math.max(1.0, (double) geometry.width() * geometry.height() / ((double) gridW * gridH));
        palette = palette();
    }

    /**
     * Streams {@code reader} into {@code png} (the grid) and {@code gif} (the animation).
     *
     * @param model null for no captions; otherwise classifies with {@code framing}
     */
    public static Summary render(EventReader reader, Options options, Path png, Path gif, WindowModel model,
                                 FramingSpec framing) throws IOException {
        return new RecordingRenderer(options, reader.geometry(), model != null).run(reader, png, gif, model, framing);
    }

    private static IndexColorModel palette() {
        byte[] r = new byte[LEVELS * LEVELS];
        byte[] g = new byte[LEVELS * LEVELS];
        byte[] b = new byte[LEVELS * LEVELS];
        for (int i = 0; i < LEVELS; i++) {
            for (int j = 0; j < LEVELS; j++) {
                int k = i * LEVELS + j;
                double a = (double) i / (LEVELS - 1);
                double c = (double) j / (LEVELS - 1);
                r[k] = (byte) Math.min(255, (int) Math.round(a * ON[0] + c * OFF[0]));
                g[k] = (byte) Math.min(255, (int) Math.round(a * ON[1] + c * OFF[1]));
                b[k] = (byte) Math.min(255, (int) Math.round(a * ON[2] + c * OFF[2]));
            }
        }
        return new IndexColorModel(8, LEVELS * LEVELS, r, g, b);
    }

    /** A frame drawn but perhaps not yet captioned. */
    private record Tile(BufferedImage image, long startUs, long endUs) {}

    /** One classified model window. */
    private record Classified(long startUs, long endUs, String name, float p) {}

    private Summary run(EventReader reader, Path png, Path gif, WindowModel model, FramingSpec framing) throws IOException {
        long t0 = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        List<BufferedImage> done = new ArrayList<>();
        ArrayDeque<Tile> pending = new ArrayDeque<>();
        ArrayDeque<Classified> windows = new ArrayDeque<>();
        Framer framer = model == null ? null : new Framer(framing, "render", geometry);
        long[] lastEnd = {Long.MIN_VALUE};
        byte[][] state = {null};
        int[] classified = {0};
        java.util.function.Consumer<Window> classify = w -> {
            if (state[0] != null && w.startUs() - lastEnd[0] > STATE_RESET_GAP_US) {
                state[0] = null;
            }
            WindowModel.Result r = model.forward(List.of(w.frames()), w.bins(), w.height(), w.width(),
                    Collections.singletonList(state[0])).get(0);
            state[0] = r.state();
            lastEnd[0] = w.endUs();
            float[] p = Probabilities.softmax(r.logits());
            int top = Probabilities.argmax(p);
            windows.addLast(new Classified(w.startUs(), w.endUs(), model.classNames().get(top), p[top]));
            classified[0]++;
        };
        long events = 0;
        long frameStart = Long.MIN_VALUE;
        int frames = 0;
        boolean truncated = false;
        boolean finished = false;
        long firstFrame = Long.MIN_VALUE;
        try (GifSequence animation = new GifSequence(gif, palette, tileW, tileH, options.dtUs())) {
            EventBatch batch = new EventBatch(1 << 16);
            while (!finished && reader.read(batch, 1 << 16)) {
                int n = batch.size();
                long[] ts = batch.ts();
                short[] xs = batch.xs();
                short[] ys = batch.ys();
                byte[] ps = batch.ps();
                int from = 0;
                int to = n;
                for (int i = 0; i < n; i++) {
                    long t = ts[i];
                    if (options.fromUs() != null && t < options.fromUs()) {
                        from = i + 1;
                        continue;
                    }
                    if (options.toUs() != null && t >= options.toUs()) {
                        to = i;
                        finished = true;
                        break;
                    }
                    if (frameStart == Long.MIN_VALUE) {
                        frameStart = options.fromUs() != null ? options.fromUs() : Math.floorDiv(t, options.dtUs()) * options.dtUs();
                        firstFrame = frameStart;
                    }
                    while (t >= frameStart + options.dtUs()) {
                        pending.addLast(tile(frameStart));
                        frames++;
                        frameStart += options.dtUs();
                        if (frames == options.maxFrames()) {
                            truncated = true;
                            finished = true;
                            to = i;
                            break;
                        }
                    }
                    if (finished) {
                        break;
                    }
                    int x = xs[i];
                    int y = ys[i];
                    if (x < 0 || y < 0 || x >= geometry.width() || y >= geometry.height()) {
                        continue;
                    }
                    int cell = (int) ((long) y * gridH / geometry.height()) * gridW + (int) ((long) x * gridW / geometry.width());
                    if (ps[i] != 0) {
                        on[cell]++;
                    } else {
                        off[cell]++;
                    }
                    events++;
                }
                if (framer != null && to > from) {
                    framer.accept(batch, from, to);
                    framer.advanceTo(ts[to - 1] - framing.windowUs(), classify);
                }
                emit(pending, windows, animation, done, false);
            }
            if (frameStart != Long.MIN_VALUE && frames < options.maxFrames()) {
                pending.addLast(tile(frameStart)); // the last, partial frame
                frames++;
                frameStart += options.dtUs();
            }
            if (framer != null) {
                framer.advanceTo(Long.MAX_VALUE, classify);
            }
            emit(pending, windows, animation, done, true);
        }
        if (done.isEmpty()) {
            Files.deleteIfExists(gif);
            throw new IOException("no events to render" + (options.fromUs() != null || options.toUs() != null ? " in the chosen time range" : ""));
        }
        writeGrid(done, png);
        return new Summary(done.size(), events, firstFrame, frameStart, truncated, classified[0], (System.nanoTime() - t0) / 1e9,
                (threads.getCurrentThreadCpuTime() - cpu0) / 1e9);
    }

    /** Captions the frames whose window is known (or all at the end) and hands them on in order. */
    private void emit(ArrayDeque<Tile> pending, ArrayDeque<Classified> windows, GifSequence animation, List<BufferedImage> done,
                      boolean end) throws IOException {
        while (!pending.isEmpty()) {
            Tile t = pending.peekFirst();
            if (captions) {
                long mid = t.startUs() + (t.endUs() - t.startUs()) / 2;
                while (!windows.isEmpty() && windows.peekFirst().endUs() <= mid) {
                    windows.pollFirst();
                }
                Classified w = windows.peekFirst();
                if (w == null && !end) {
                    return; // its window is not classified yet
                }
                caption(t.image(), w != null && w.startUs() <= mid
                        ? String.format(Locale.ROOT, "%s %.0f%%", w.name(), 100 * w.p()) : "no window");
            }
            pending.pollFirst();
            animation.append(t.image());
            done.add(t.image());
        }
    }

    /** Draws the counts gathered so far as a frame starting at {@code startUs} and clears them. */
    private Tile tile(long startUs) {
        BufferedImage img = new BufferedImage(tileW, tileH, BufferedImage.TYPE_BYTE_INDEXED, palette);
        byte[] px = ((java.awt.image.DataBufferByte) img.getRaster().getDataBuffer()).getData();
        int frameW = (int) Math.round(geometry.width() * options.scale());
        frameW = Math.max(1, frameW);
        int left = (tileW - frameW) / 2;
        for (int y = 0; y < frameH; y++) {
            int gy = (int) ((long) y * gridH / frameH);
            for (int x = 0; x < frameW; x++) {
                int cell = gy * gridW + (int) ((long) x * gridW / frameW);
                px[y * tileW + left + x] = (byte) (level(on[cell]) * LEVELS + level(off[cell]));
            }
        }
        java.util.Arrays.fill(on, 0);
        java.util.Arrays.fill(off, 0);
        Graphics2D g = img.createGraphics();
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            g.setColor(Color.WHITE);
            g.drawString(String.format(Locale.ROOT, "%.3f s", startUs / 1e6), 3, frameH + STRIP - 3);
        } finally {
            g.dispose();
        }
        return new Tile(img, startUs, startUs + options.dtUs());
    }

    private void caption(BufferedImage img, String text) {
        Graphics2D g = img.createGraphics();
        try {
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            g.setColor(Color.WHITE);
            g.drawString(text, 3, frameH + 2 * STRIP - 3);
        } finally {
            g.dispose();
        }
    }

    private int level(int count) {
        if (count == 0) {
            return 0;
        }
        // 1 - exp(-n / s): one event shows, a busy cell saturates
        return Math.max(1, (int) Math.round((LEVELS - 1) * (1 - Math.exp(-count / saturation))));
    }

    private void writeGrid(List<BufferedImage> tiles, Path png) throws IOException {
        int n = tiles.size();
        int cols = (int) Math.ceil(Math.sqrt(n * (double) tileH / tileW));
        cols = Math.max(1, Math.min(n, cols));
        int rows = (n + cols - 1) / cols;
        int gap = 2;
        BufferedImage grid = new BufferedImage(cols * (tileW + gap) + gap, rows * (tileH + gap) + gap, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(new Color(60, 60, 60));
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < n; i++) {
                g.drawImage(tiles.get(i), gap + (i % cols) * (tileW + gap), gap + (i / cols) * (tileH + gap), null);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(grid, "png", png.toFile())) {
            throw new IOException(png + ": no PNG writer available");
        }
    }

    /** An animated GIF written frame by frame (looping, each frame shown for its real duration). */
    static final class GifSequence implements Closeable {
        private final ImageWriter writer;
        private final ImageOutputStream out;
        private final IIOMetadata first;
        private final IIOMetadata rest;
        private boolean started;

        GifSequence(Path file, IndexColorModel palette, int width, int height, long dtUs) throws IOException {
            writer = ImageIO.getImageWritersByFormatName("gif").next();
            Files.deleteIfExists(file);
            out = ImageIO.createImageOutputStream(file.toFile());
            writer.setOutput(out);
            ImageTypeSpecifier type = new ImageTypeSpecifier(palette, palette.createCompatibleSampleModel(width, height));
            // browsers show delays under 2 cs as 10 cs: never ask for less than 2
            int delay = (int) Math.max(2, Math.round(dtUs / 10_000.0));
            first = metadata(type, delay, true);
            rest = metadata(type, delay, false);
        }

        private IIOMetadata metadata(ImageTypeSpecifier type, int delayCs, boolean loop) throws IOException {
            IIOMetadata m = writer.getDefaultImageMetadata(type, writer.getDefaultWriteParam());
            String format = m.getNativeMetadataFormatName();
            IIOMetadataNode root = (IIOMetadataNode) m.getAsTree(format);
            IIOMetadataNode gce = child(root, "GraphicControlExtension");
            gce.setAttribute("disposalMethod", "none");
            gce.setAttribute("userInputFlag", "FALSE");
            gce.setAttribute("transparentColorFlag", "FALSE");
            gce.setAttribute("delayTime", Integer.toString(delayCs));
            gce.setAttribute("transparentColorIndex", "0");
            if (loop) {
                IIOMetadataNode apps = child(root, "ApplicationExtensions");
                IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
                app.setAttribute("applicationID", "NETSCAPE");
                app.setAttribute("authenticationCode", "2.0");
                app.setUserObject(new byte[] {1, 0, 0}); // loop for ever
                apps.appendChild(app);
            }
            m.setFromTree(format, root);
            return m;
        }

        private static IIOMetadataNode child(IIOMetadataNode root, String name) {
            for (int i = 0; i < root.getLength(); i++) {
                if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
                    return (IIOMetadataNode) root.item(i);
                }
            }
            IIOMetadataNode node = new IIOMetadataNode(name);
            root.appendChild(node);
            return node;
        }

        void append(BufferedImage frame) throws IOException {
            if (!started) {
                writer.prepareWriteSequence(null);
            }
            writer.writeToSequence(new IIOImage(frame, null, started ? rest : first), null);
            started = true;
        }

        @Override
        public void close() throws IOException {
            try {
                if (started) {
                    writer.endWriteSequence();
                }
            } finally {
                out.close();
                writer.dispose();
            }
        }
    }
}
