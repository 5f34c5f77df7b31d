package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.gesture.GestureClasses;
import io.spikestream.connectors.recording.gesture.GestureDataset;
import io.spikestream.connectors.recording.gesture.GestureLabel;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.TestModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code spikestream classify} on a small DVS128 Gesture folder, through the real job on a local Flink. */
class ClassifyCommandTest {
    static final SensorGeometry DVS128 = new SensorGeometry(128, 128);
    static final FramingSpec SPEC = FramingSpec.tumbling(5_000, 4, 16, 16, DVS128);

    @TempDir
    Path dir;

    @Test
    void classifiesAGestureFolderWindowByWindowAndScoresItsLabels() throws Exception {
        Path data = Files.createDirectories(dir.resolve("gestures"));
        EventBatch events = new EventBatch();
        Random rnd = new Random(5);
        long t = 100_000;
        for (int i = 0; i < 40_000; i++) {
            t += rnd.nextInt(25);
            events.add(t, rnd.nextInt(128), rnd.nextInt(128), rnd.nextInt(2));
        }
        List<GestureLabel> labels = List.of(new GestureLabel(2, 120_000, 220_000), new GestureLabel(7, 250_000, 400_000));
        GestureDataset.write(data, 24, "led", DVS128, labels, w -> w.write(events));
        Path model = TestModels.tiny(dir.resolve("m.safetensors"), SPEC, 3, GestureClasses.NAMES);
        Path out = dir.resolve("results.jsonl");

        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));
        int code = cl.execute("classify", data.toString(), "--model", model.toString(), "--out", out.toString());
        assertEquals(Main.OK, code, stderr.toString());

        int windows = Framer.frames(events, SPEC, DVS128, "user24_led").size();
        List<String> lines = Files.readAllLines(out);
        assertEquals(windows, lines.size());
        assertTrue(lines.get(0).contains("\"sensor\":\"user24_led\""), lines.get(0));
        String text = stdout.toString();
        assertTrue(text.contains("per-sample accuracy"), text);
        assertTrue(text.contains("of 2 samples"), text);
        assertTrue(text.contains("true \\ decided"), text);
    }

    @Test
    void aModelWithoutClassNamesShowsClassNumbersAndSaysSoOnce() throws Exception {
        Path model = dir.resolve("unnamed.safetensors");
        io.spikestream.model.ModelCard card = io.spikestream.model.ModelCard.of(2, 4,
                new io.spikestream.model.ModelCard.Stem(io.spikestream.model.ModelCard.StemType.CONV7, 8),
                List.of(new io.spikestream.model.ModelCard.Stage(8, 1)), io.spikestream.model.ModelCard.Shortcut.CONV);
        io.spikestream.model.ModelFile.write(model, card, io.spikestream.model.ModelWeights.random(card, 1),
                java.util.Map.of(FramingSpec.METADATA_KEY, SPEC.toJson()), io.spikestream.model.safetensors.DType.F32);
        EventBatch events = new EventBatch();
        Random rnd = new Random(9);
        for (int i = 0; i < 3_000; i++) {
            events.add(100_000 + 10L * i, rnd.nextInt(128), rnd.nextInt(128), rnd.nextInt(2));
        }
        Path rec = dir.resolve("cam.aedat4");
        try (var w = io.spikestream.connectors.recording.Recordings.writer(rec, DVS128)) {
            w.write(events);
        }
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(stdout));
        cl.setErr(new PrintWriter(stderr));
        assertEquals(Main.OK, cl.execute("classify", rec.toString(), "--model", model.toString()), stderr.toString());
        String notice = "unnamed.safetensors carries no class names (__metadata__[\"class_names\"]); classes are shown as 'class N'";
        assertEquals(1, stderr.toString().split(java.util.regex.Pattern.quote(notice), -1).length - 1, stderr.toString());
        assertTrue(stdout.toString().matches("(?s).*top classes \\{class [0-3]=.*"), stdout.toString());
    }

    @Test
    void aModelWithoutFramingMetadataIsRefusedWithAClearMessage() throws Exception {
        Path model = dir.resolve("no-framing.safetensors");
        io.spikestream.model.ModelCard card = io.spikestream.model.ModelCard.of(2, 4,
                new io.spikestream.model.ModelCard.Stem(io.spikestream.model.ModelCard.StemType.CONV7, 8),
                List.of(new io.spikestream.model.ModelCard.Stage(8, 1)), io.spikestream.model.ModelCard.Shortcut.CONV);
        io.spikestream.model.ModelFile.write(model, card, io.spikestream.model.ModelWeights.random(card, 1), java.util.Map.of(),
                io.spikestream.model.safetensors.DType.F32);
        Path rec = dir.resolve("r.csv");
        Files.writeString(rec, "");
        StringWriter stderr = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(stderr));
        assertEquals(Main.FAILURE, cl.execute("classify", rec.toString(), "--model", model.toString()));
        assertTrue(stderr.toString().contains("has no framing spec"), stderr.toString());
    }
}
