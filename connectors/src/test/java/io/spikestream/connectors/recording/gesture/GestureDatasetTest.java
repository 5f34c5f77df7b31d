package io.spikestream.connectors.recording.gesture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.RecordingFormat;
import io.spikestream.connectors.recording.Recordings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GestureDatasetTest {
    static final SensorGeometry DVS128 = new SensorGeometry(128, 128);

    @TempDir Path dir;

    private static EventBatch events(long seed, int n) {
        Random r = new Random(seed);
        EventBatch b = new EventBatch(n);
        long t = 1_000;
        for (int i = 0; i < n; i++) {
            t += r.nextInt(30);
            b.add(t, r.nextInt(128), r.nextInt(128), r.nextInt(2));
        }
        return b;
    }

    private static GestureRecording write(Path dir, int user, String lighting, EventBatch events, List<GestureLabel> labels)
            throws IOException {
        return GestureDataset.write(dir, user, lighting, DVS128, labels, w -> {
            for (int from = 0; from < events.size(); from += 10_000) {
                EventBatch part = new EventBatch();
                part.addAll(events, from, Math.min(events.size(), from + 10_000));
                w.write(part);
            }
        });
    }

    /** The events of {@code all} inside the label's span, picked by a plain scan. */
    private static EventBatch expected(EventBatch all, GestureLabel l) {
        EventBatch e = new EventBatch();
        for (int i = 0; i < all.size(); i++) {
            if (all.t(i) >= l.startUs() && all.t(i) < l.endUs()) {
                e.addAll(all, i, i + 1);
            }
        }
        return e;
    }

    @Test
    void classesAreTheElevenOfficialNamesInOrder() {
        assertEquals(List.of("hand_clap", "right_hand_wave", "left_hand_wave", "right_arm_clockwise",
                "right_arm_counter_clockwise", "left_arm_clockwise", "left_arm_counter_clockwise", "arm_roll",
                "air_drums", "air_guitar", "other_gestures"), GestureClasses.NAMES);
        assertEquals(7, GestureClasses.indexOf("arm_roll"));
    }

    @Test
    void usersOneToTwentyThreeTrainAndTwentyFourToTwentyNineTest() {
        assertEquals(GestureSplit.TRAIN, GestureSplit.of(1));
        assertEquals(GestureSplit.TRAIN, GestureSplit.of(23));
        assertEquals(GestureSplit.TEST, GestureSplit.of(24));
        assertEquals(GestureSplit.TEST, GestureSplit.of(29));
        assertThrows(IllegalArgumentException.class, () -> GestureSplit.of(30));
        assertThrows(IllegalArgumentException.class, () -> GestureSplit.of(0));
    }

    @Test
    void writtenRecordingsAreAedat31InTheGestureLayoutAndSplitByUser() throws IOException {
        write(dir, 2, "led", events(1, 1000), List.of(new GestureLabel(0, 1_000, 5_000)));
        write(dir, 24, "natural", events(2, 1000), List.of(new GestureLabel(1, 1_000, 5_000)));
        write(dir, 1, "lab", events(3, 1000), List.of(new GestureLabel(2, 1_000, 5_000)));
        Files.writeString(dir.resolve("notes.txt"), "not a recording");
        assertTrue(Files.isRegularFile(dir.resolve("user02_led.aedat")));
        assertTrue(Files.isRegularFile(dir.resolve("user02_led_labels.csv")));
        assertEquals(RecordingFormat.AEDAT31, Recordings.detect(dir.resolve("user24_natural.aedat")));
        GestureDataset d = new GestureDataset(dir, (f, l, p) -> {
            throw new AssertionError("unexpected warning " + f + ":" + l + ": " + p);
        });
        assertEquals(List.of(1, 2, 24), d.recordings().stream().map(GestureRecording::user).toList());
        assertEquals(List.of(1, 2), d.recordings(GestureSplit.TRAIN).stream().map(GestureRecording::user).toList());
        GestureRecording test = d.recordings(GestureSplit.TEST).get(0);
        assertEquals("natural", test.lighting());
        assertEquals(dir.resolve("user24_natural_labels.csv"), test.labels());
    }

    @Test
    void samplesHoldExactlyTheEventsInsideTheirLabelSpans() throws IOException {
        EventBatch all = events(4, 200_000);
        long end = all.t(all.size() - 1);
        List<GestureLabel> labels = List.of(
                new GestureLabel(3, 500, 40_000), // starts before the first event
                new GestureLabel(0, 40_000, 900_000),
                new GestureLabel(10, 1_000_000, 2_000_000),
                new GestureLabel(8, 1_500_000, 1_600_000), // overlaps the previous label
                new GestureLabel(5, end - 1_000, end + 50_000), // still open at the end of the file
                new GestureLabel(4, end + 100_000, end + 200_000)); // after the last event
        write(dir, 7, "fluorescent_led", all, labels);
        List<LabelledSample> samples = new ArrayList<>();
        new GestureDataset(dir).forEachSample(GestureSplit.TRAIN, samples::add);
        assertEquals(labels.size(), samples.size());
        for (int i = 0; i < labels.size(); i++) {
            LabelledSample s = samples.get(i);
            assertEquals(labels.get(i), s.label(), "labels come in label order");
            assertEquals(7, s.rec().user());
            EventBatch want = expected(all, s.label());
            assertTrue(want.sameEvents(s.events()), "sample " + i + ": " + want.size() + " vs " + s.events().size());
        }
        assertEquals(0, samples.get(5).events().size());
        assertTrue(samples.get(1).events().size() > 10_000);
    }

    @Test
    void malformedLabelRowsAreSkippedWithAWarningNamingFileAndLine() throws IOException {
        Path labels = dir.resolve("user03_lab_labels.csv");
        Files.writeString(labels, String.join("\n",
                "class,startTime_usec,endTime_usec",
                "1,100,200",
                "x,100,200",
                "12,100,200",
                "3,500,400",
                "4,100",
                "",
                "11,300,400") + "\n");
        List<String> warnings = new ArrayList<>();
        List<GestureLabel> read = GestureLabels.read(labels, (f, line, problem) -> warnings.add(f.getFileName() + ":" + line + " " + problem));
        assertEquals(List.of(new GestureLabel(0, 100, 200), new GestureLabel(10, 300, 400)), read);
        assertEquals(4, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("user03_lab_labels.csv:3 "), warnings.get(0));
        assertTrue(warnings.get(1).startsWith("user03_lab_labels.csv:4 ") && warnings.get(1).contains("class 12"), warnings.get(1));
        assertTrue(warnings.get(2).startsWith("user03_lab_labels.csv:5 "), warnings.get(2));
        assertTrue(warnings.get(3).startsWith("user03_lab_labels.csv:6 "), warnings.get(3));
    }

    @Test
    void labelRowsAreCsvQuotedFieldsCrlfAndSpacesIncludedAndAnUnclosedQuoteEndsTheFile() throws IOException {
        Path labels = dir.resolve("user04_led_labels.csv");
        Files.writeString(labels, "class,startTime_usec,endTime_usec\r\n\"2\", 100 ,200\r\n5,300,400\r\n3,\"oops,5\r\n7,1,2\r\n");
        List<String> warnings = new ArrayList<>();
        List<GestureLabel> read = GestureLabels.read(labels, (f, line, problem) -> warnings.add(line + " " + problem));
        assertEquals(List.of(new GestureLabel(1, 100, 200), new GestureLabel(4, 300, 400)), read);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("malformed CSV") && warnings.get(0).contains("rest of the file skipped"), warnings.get(0));
    }

    @Test
    void aRecordingWithoutLabelsIsSkippedWithAWarning() throws IOException {
        write(dir, 5, "led", events(5, 10), List.of(new GestureLabel(0, 1_000, 2_000)));
        Files.delete(dir.resolve("user05_led_labels.csv"));
        List<String> warnings = new ArrayList<>();
        List<GestureRecording> recs = new GestureDataset(dir, (f, l, p) -> warnings.add(p)).recordings();
        assertTrue(recs.isEmpty());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("no label file"), warnings.get(0));
    }

    @Test
    void labelFilesRoundTrip() throws IOException {
        List<GestureLabel> labels = List.of(new GestureLabel(0, 1, 2), new GestureLabel(10, 5_000_000_000L, 5_000_000_001L));
        Path f = dir.resolve("l.csv");
        GestureLabels.write(f, labels);
        assertEquals(GestureLabels.HEADER + "\n1,1,2\n11,5000000000,5000000001\n", Files.readString(f));
        assertEquals(labels, GestureLabels.read(f, (file, line, p) -> {
            throw new AssertionError(p);
        }));
    }
}
