package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.pipeline.framing.FramingSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train and evaluate end to end on two simulated users (one for training, one held out). */
class TrainCommandTest {
    static final String TINY_CARD = "{\"arch\":\"ms-resnet\",\"in_channels\":2,\"num_classes\":11,"
            + "\"stem\":{\"type\":\"conv7\",\"channels\":8},\"stages\":[[8,1],[16,1]],\"shortcut\":\"conv\"}";

    @TempDir static Path data;
    static Path card;



    @BeforeAll
    static void simulateTwoUsers() throws Exception {
        Run r = run("synth", "--out", data.toString(), "--users", "1,24", "--lightings", "lab", "--classes", "1,2", "--seed", "5");
        assertEquals(Main.OK, r.exit(), r.err());
        card = Files.writeString(data.resolve("tiny.card.json"), TINY_CARD);
    }

    static String[] trainArgs(Path out, String... extra) {
        String[] base = {"train", "--data", data.toString(), "--card", card.toString(), "--epochs", "2", "--batch", "8",
                "--frames", "4", "--dt-us", "100000", "--hop", "2", "--size", "16", "--train-users", "1", "--test-users", "24",
                "--no-progress", "--out", out.toString()};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }

    @Test
    void trainsLogsEveryEpochAndWritesAModelWithItsFramingAndACheckpoint(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("m.safetensors");
        Run r = run(trainArgs(model));
        assertEquals(Main.OK, r.exit(), r.err());
        assertTrue(r.out().contains("epoch 1/2: train loss") && r.out().contains("epoch 2/2: train loss")
                && r.out().contains("test acc"), r.out());
        SafeTensors st = SafeTensors.open(model);
        FramingSpec framing = FramingSpec.fromJson(st.metadata().get(FramingSpec.METADATA_KEY));
        assertEquals(4, framing.bins());
        assertEquals(16, framing.height());
        assertEquals(100_000, framing.dtUs());
        assertTrue(st.metadata().containsKey("card") && st.metadata().containsKey("results"));
        // the class names travel with the model: the 11 DVS128 Gesture names in label order
        assertEquals("[\"hand_clap\",\"right_hand_wave\",\"left_hand_wave\",\"right_arm_clockwise\",\"right_arm_counter_clockwise\","
                + "\"left_arm_clockwise\",\"left_arm_counter_clockwise\",\"arm_roll\",\"air_drums\",\"air_guitar\",\"other_gestures\"]",
                st.metadata().get("class_names"));
        assertTrue(Files.isRegularFile(dir.resolve("m.safetensors.ckpt.safetensors")));

        Path png = dir.resolve("confusion.png");
        Run e = run("evaluate", "--data", data.toString(), "--model", model.toString(), "--users", "24", "--png", png.toString());
        assertEquals(Main.OK, e.exit(), e.err());
        assertTrue(e.out().contains("hand_clap") || e.out().contains("accuracy"), e.out());
        assertTrue(e.out().contains("accuracy"), e.out());
        byte[] head = Files.readAllBytes(png);
        assertEquals((byte) 0x89, head[0]);
        assertEquals('P', head[1]);
    }

    /** Three training runs; the model-side TrainerTest checks bitwise resume in the default suite. */
    @Test
    @Tag("slow")
    void aRunStoppedAfterOneEpochAndResumedEndsWithTheSameWeightsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight.safetensors");
        assertEquals(Main.OK, run(trainArgs(straight)).exit());
        Path split = dir.resolve("split.safetensors");
        Run first = run(trainArgs(split, "--stop-after", "1"));
        assertEquals(Main.OK, first.exit(), first.err());
        assertTrue(first.out().contains("stopped after epoch 1 of 2"), first.out());
        Run resumed = run("train", "--data", data.toString(), "--resume", dir.resolve("split.safetensors.ckpt.safetensors").toString(),
                "--train-users", "1", "--test-users", "24", "--no-progress", "--out", split.toString());
        assertEquals(Main.OK, resumed.exit(), resumed.err());
        assertTrue(resumed.out().contains("epoch 2/2"), resumed.out());
        SafeTensors a = SafeTensors.open(straight);
        SafeTensors b = SafeTensors.open(split);
        assertEquals(a.tensors().keySet(), b.tensors().keySet());
        for (String name : a.tensors().keySet()) {
            assertArrayEquals(a.doubles(name), b.doubles(name), 0.0, name);
        }
    }

    @Test
    void trainWithoutCardOrResumeIsAUsageError(@TempDir Path dir) {
        Run r = run("train", "--data", data.toString(), "--out", dir.resolve("x.safetensors").toString());
        assertEquals(Main.USAGE, r.exit());
        assertTrue(r.err().contains("--card"), r.err());
    }
}
