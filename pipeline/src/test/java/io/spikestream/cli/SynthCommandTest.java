package io.spikestream.cli;

import static io.spikestream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.cli.Cli.Run;
import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.connectors.recording.gesture.GestureDataset;
import io.spikestream.connectors.recording.gesture.GestureSplit;
import io.spikestream.connectors.recording.gesture.LabelledSample;
import io.spikestream.connectors.synth.Gesture;
import io.spikestream.connectors.synth.GestureSimulator;
import io.spikestream.connectors.synth.Lighting;
import io.spikestream.connectors.synth.RecordingPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SynthCommandTest {



    @Test
    void writesAnAedatRecordingAndItsLabelsInTheDvs128GestureLayout(@TempDir Path dir) throws Exception {
        Run r = run("synth", "--out", dir.toString(), "--users", "2", "--lightings", "lab", "--seed", "3", "--classes", "3-5,9");
        assertEquals(Main.OK, r.exit(), r.err());
        Path aedat = dir.resolve("user02_lab.aedat");
        Path labels = dir.resolve("user02_lab_labels.csv");
        assertTrue(Files.isRegularFile(aedat) && Files.isRegularFile(labels), "files: " + List.of(dir.toFile().list()));
        assertEquals(2, dir.toFile().list().length, "no temporary files left behind");

        // The file holds exactly the simulator's events, readable by the AEDAT 3.1 reader.
        GestureSimulator sim = new GestureSimulator(3);
        RecordingPlan plan = sim.plan(2, Lighting.named("lab"), 1,
                EnumSet.of(Gesture.LEFT_HAND_WAVE, Gesture.RIGHT_ARM_CLOCKWISE, Gesture.RIGHT_ARM_COUNTER_CLOCKWISE, Gesture.AIR_DRUMS));
        EventBatch expected = sim.simulate(plan);
        EventBatch read = new EventBatch();
        try (EventReader reader = Recordings.open(aedat)) {
            assertEquals(RecordingFormat.AEDAT31, reader.format());
            assertEquals(GestureSimulator.GEOMETRY, reader.geometry());
            EventBatch chunk = new EventBatch();
            while (reader.read(chunk, 1 << 16)) {
                read.addAll(chunk, 0, chunk.size());
            }
        }
        assertTrue(expected.sameEvents(read), "read back " + read + ", simulated " + expected);

        List<String> lines = Files.readAllLines(labels);
        assertEquals("class,startTime_usec,endTime_usec", lines.get(0));
        assertEquals(List.of(3, 4, 5, 9), lines.stream().skip(1).map(l -> Integer.parseInt(l.split(",")[0])).toList());
        for (int k = 1; k < lines.size(); k++) {
            String[] f = lines.get(k).split(",");
            long start = Long.parseLong(f[1]);
            long end = Long.parseLong(f[2]);
            assertEquals(plan.takes().get(k - 1).startUs(), start);
            assertEquals(plan.takes().get(k - 1).endUs(), end);
            assertTrue(end - start >= 1_000_000 && end - start <= 4_000_000, lines.get(k));
        }
        // The dataset reader finds the recording and cuts it into the eleven labelled samples.
        List<String> warnings = new java.util.ArrayList<>();
        GestureDataset dataset = new GestureDataset(dir, (file, line, problem) -> warnings.add(problem));
        List<LabelledSample> samples = new java.util.ArrayList<>();
        dataset.forEachSample(GestureSplit.TRAIN, s -> samples.add(new LabelledSample(s.rec(), s.label(), s.events().copy())));
        assertEquals(List.of(), warnings);
        assertEquals(4, samples.size());
        for (int k = 0; k < samples.size(); k++) {
            LabelledSample s = samples.get(k);
            assertEquals(plan.takes().get(k).gesture().classIndex(), s.label().classIndex());
            assertEquals(plan.takes().get(k).gesture().label(), s.label().className());
            assertTrue(s.events().size() > 10_000, s.label() + ": " + s.events());
        }
        assertTrue(r.err().contains("[1/1] user02_lab.aedat"), r.err());
        assertTrue(r.out().contains("1 recordings") && r.out().contains("4 samples")
                && r.out().contains(String.format("%,d events", expected.size())), r.out());
    }

    @Test
    void writesEveryUserAndLightingOfARangeInParallel(@TempDir Path dir) throws Exception {
        Run r = run("synth", "--out", dir.toString(), "--users", "1,4", "--lightings", "led,natural", "--threads", "2",
                "--classes", "8", "--repetitions", "2");
        assertEquals(Main.OK, r.exit(), r.err());
        for (String user : List.of("01", "04")) {
            for (String light : List.of("led", "natural")) {
                assertTrue(Files.size(dir.resolve("user" + user + "_" + light + ".aedat")) > 100_000, user + light);
                List<String> labels = Files.readAllLines(dir.resolve("user" + user + "_" + light + "_labels.csv"));
                assertEquals(3, labels.size(), labels.toString());
                assertTrue(labels.get(1).startsWith("8,") && labels.get(2).startsWith("8,"), labels.toString());
            }
        }
        assertFalse(Files.exists(dir.resolve("user02_led.aedat")));
        assertTrue(r.out().startsWith("wrote 4 recordings (8 files)") && r.out().contains("8 samples"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"5-2", "0", "1-30", "abc", "1,,2", "3-", "-4"})
    void badUserRangesAreOneLineUsageErrors(String users, @TempDir Path dir) {
        Run r = run("synth", "--out", dir.toString(), "--users", users);
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertEquals(0, dir.toFile().list().length);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "12", "3-1", "x"})
    void badClassListsAreOneLineUsageErrors(String classes, @TempDir Path dir) {
        Run r = run("synth", "--out", dir.toString(), "--users", "1", "--classes", classes);
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void unknownLightingIsAOneLineUsageErrorNamingTheKnownOnes(@TempDir Path dir) {
        Run r = run("synth", "--out", dir.toString(), "--users", "1", "--lightings", "led,moonlight");
        assertEquals(Main.USAGE, r.exit(), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("moonlight") && r.err().contains("fluorescent_led"), r.err());
    }

    @Test
    void anOutputPathThatIsAFileIsARuntimeFailure(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("taken"), "x");
        Run r = run("synth", "--out", file.toString(), "--users", "1");
        assertEquals(Main.FAILURE, r.exit(), r.err());
        assertTrue(r.err().contains("not a folder"), r.err());
    }
}
