package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventWriter;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.TestModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spikestream render}: frames of the chosen length in both pictures, ON and OFF in their
 * own colours in the frame they belong to, the time range and frame limit honoured.
 */
class RenderCommandTest {
    static final SensorGeometry G = new SensorGeometry(32, 24);

    @TempDir
    Path dir;
    Path recording;

    /** Frame 0 (0-10 ms): 3 ON events at (5,5); frame 1: 3 OFF at (20,10); frame 2: none; frame 3: 1 ON at (30,20). */
    @BeforeEach
    void write() throws IOException {
        EventBatch b = new EventBatch();
        b.add(1_000, 5, 5, 1);
        b.add(2_000, 5, 5, 1);
        b.add(3_000, 5, 5, 1);
        b.add(12_000, 20, 10, 0);
        b.add(13_000, 20, 10, 0);
        b.add(14_000, 20, 10, 0);
        b.add(35_000, 30, 20, 1);
        recording = dir.resolve("r.aedat4");
        try (EventWriter w = Recordings.writer(recording, G)) {
            w.write(b);
        }
    }

    @Test
    void writesAGridAndAnAnimationWithOnAndOffInTheirFrames() throws Exception {
        Run r = run("render", recording.toString(), "--out", dir.resolve("pic").toString(), "--dt-us", "10000", "--scale", "4");
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(r.out().contains("4 frames of 10.0 ms"), r.out());
        List<BufferedImage> frames = gifFrames(dir.resolve("pic.gif"));
        assertEquals(4, frames.size());
        // 3 events on one sensor pixel, scaled 4×: a 4×4 block in the ON colour, nothing in the OFF colour
        assertEquals(16, count(frames.get(0), true));
        assertEquals(0, count(frames.get(0), false));
        assertEquals(0, count(frames.get(1), true));
        assertEquals(16, count(frames.get(1), false));
        assertEquals(0, count(frames.get(2), true) + count(frames.get(2), false));
        assertEquals(16, count(frames.get(3), true));
        BufferedImage grid = ImageIO.read(dir.resolve("pic.png").toFile());
        assertEquals(32, count(grid, true));
        assertEquals(16, count(grid, false));
        assertTrue(grid.getWidth() >= 2 * 32 * 4, "grid " + grid.getWidth() + " wide");
    }

    @Test
    void honoursTheTimeRangeAndTheFrameLimit() throws Exception {
        Run r = run("render", recording.toString(), "--out", dir.resolve("range.png").toString(), "--dt-us", "10000",
                "--from-us", "10000", "--to-us", "30000", "--scale", "2");
        assertEquals(Main.OK, r.exit(), r.err());
        List<BufferedImage> frames = gifFrames(dir.resolve("range.gif"));
        assertEquals(1, frames.size(), r.out());
        assertEquals(0, count(frames.get(0), true));
        assertEquals(4, count(frames.get(0), false));

        Run limited = run("render", recording.toString(), "--out", dir.resolve("two").toString(), "--dt-us", "10000", "--max-frames", "2");
        assertEquals(Main.OK, limited.exit(), limited.err());
        assertEquals(2, gifFrames(dir.resolve("two.gif")).size());
        assertTrue(limited.out().contains("stopped at --max-frames 2; continue with --from-us 20000"), limited.out());
    }

    @Test
    void withAModelClassifiesTheWindowsItCaptions() throws Exception {
        Path model = TestModels.tiny(dir.resolve("m.safetensors"), FramingSpec.tumbling(10_000, 2, 8, 8, G), 4);
        Run r = run("render", recording.toString(), "--out", dir.resolve("cap").toString(), "--dt-us", "10000",
                "--model", model.toString());
        assertEquals(Main.OK, r.exit(), r.err());
        // windows of 2 × 10 ms: [0, 20) and [20, 40) hold events
        assertTrue(r.out().contains("2 windows classified"), r.out());
        assertEquals(4, gifFrames(dir.resolve("cap.gif")).size());
    }

    @Test
    void aBadOptionIsAUsageError() {
        Run r = run("render", recording.toString(), "--out", dir.resolve("x").toString(), "--dt-us", "0");
        assertEquals(2, r.exit(), r.err());
        assertTrue(r.err().contains("--dt-us must be positive"), r.err());
    }

    /** Pixels clearly in the ON colour (orange: much more red than blue) or the OFF colour (blue). */
    static int count(BufferedImage img, boolean on) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int rgb = img.getRGB(x, y);
                int red = rgb >> 16 & 0xff;
                int blue = rgb & 0xff;
                if (on ? red > 150 && blue < 80 : blue > 150 && red < 80) {
                    n++;
                }
            }
        }
        return n;
    }

    static List<BufferedImage> gifFrames(Path gif) throws IOException {
        assertTrue(Files.isRegularFile(gif), gif + " missing");
        List<BufferedImage> out = new ArrayList<>();
        ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
        try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
            reader.setInput(in);
            int n = reader.getNumImages(true);
            for (int i = 0; i < n; i++) {
                out.add(reader.read(i));
            }
        } finally {
            reader.dispose();
        }
        return out;
    }
}
