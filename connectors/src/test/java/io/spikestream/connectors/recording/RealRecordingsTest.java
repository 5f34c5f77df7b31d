package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.testkit.SharedData;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The real recordings in shared/data/real decode to the statistics stated in its SOURCES.md. */
class RealRecordingsTest {

    @Test
    void evt2SampleFromAGen3CameraHasTheStatedCountsAndSpan() throws IOException {
        Path f = SharedData.real("prophesee_gen3_evt2_sample.raw");
        try (Evt2Reader r = new Evt2Reader(f)) {
            assertEquals(new SensorGeometry(640, 480), r.geometry());
            RecordingStats s = RecordingStats.of(r);
            assertEquals(539_481, s.events);
            assertEquals(367_855, s.on);
            assertEquals(171_626, s.off);
            assertEquals(3_126, 542_607 - s.events, "TIME_HIGH words are the only non-CD words");
            assertEquals(0, r.ignoredWords());
            assertEquals(0, r.skipped());
            assertTrue(s.monotonic);
            assertTrue(s.maxX <= 599 && s.maxY <= 475);
            assertEquals(50_000, s.tLast - s.tFirst, "exactly 50.000 ms");
        }
    }

    @Test
    void evt3SampleFromAGen41CameraMatchesTheDecodedNpyInXYAndPolarity() throws IOException {
        Path f = SharedData.real("prophesee_gen41_evt3_sample.raw");
        Path npy = SharedData.real("prophesee_gen41_evt3_sample.decoded.npy");
        ByteBuffer ref = npyRecords(npy);
        int records = ref.remaining() / 16;
        assertEquals(219_596, records);
        try (Evt3Reader r = new Evt3Reader(f)) {
            assertEquals(new SensorGeometry(1280, 720), r.geometry());
            EventBatch b = new EventBatch();
            int i = 0;
            long tFirst = -1;
            long tLast = 0;
            while (r.read(b, 7_777)) {
                for (int k = 0; k < b.size(); k++, i++) {
                    int at = i * 16;
                    assertEquals(ref.getShort(at + 8), b.x(k), "x of event " + i);
                    assertEquals(ref.getShort(at + 10), b.y(k), "y of event " + i);
                    assertEquals(ref.get(at + 12), b.p(k), "p of event " + i);
                    if (tFirst < 0) {
                        tFirst = b.t(k);
                    }
                    tLast = b.t(k);
                }
            }
            assertEquals(records, i);
            assertEquals(0, r.skipped());
            assertEquals(2861L * 4096, tFirst, "first TIME_HIGH is 2861");
            // TIME_HIGH stays within 2861..2863: the span stays under 3·4096 µs, unlike the npy's
            // 53.9 ms, which wrongly treats small TIME_LOW steps back as 12-bit wraps
            assertTrue(tLast - tFirst > 8_000 && tLast - tFirst < 3 * 4096, "span " + (tLast - tFirst));
        }
    }

    @Test
    void aedat4SampleFromADvxplorerHasTheStatedCountsGeometryAndTimes() throws IOException {
        Path f = SharedData.real("dvxplorer_sample.aedat4");
        assertEquals(RecordingFormat.AEDAT4, Recordings.detect(f));
        try (EventReader r = Recordings.open(f)) {
            assertEquals(new SensorGeometry(320, 240), r.geometry());
            RecordingStats s = RecordingStats.of(r);
            assertEquals(111_954, s.events);
            assertEquals(1_605_537_493_718_345L, s.tFirst);
            assertTrue(s.monotonic);
            long span = s.tLast - s.tFirst;
            assertTrue(span > 585_000 && span < 595_000, "span " + span + " µs, stated 0.590 s");
            double onShare = (double) s.on / s.events;
            assertTrue(onShare > 0.485 && onShare < 0.495, "ON share " + onShare + ", stated 49 %");
            assertEquals(0, r.skipped());
        }
    }

    @Test
    void nmnistSampleHasTheStatedCountsAndTimes() throws IOException {
        Path f = SharedData.real("nmnist_sample.bin");
        assertEquals(RecordingFormat.NMNIST, Recordings.detect(f));
        try (NmnistReader r = (NmnistReader) Recordings.open(f)) {
            assertEquals(new SensorGeometry(34, 34), r.geometry());
            RecordingStats s = RecordingStats.of(r);
            assertEquals(4_325, s.events);
            assertEquals(2_145, s.on);
            assertEquals(2_180, s.off);
            assertEquals(654, s.tFirst);
            assertEquals(311_175, s.tLast);
            assertTrue(s.maxX <= 33 && s.maxY <= 33);
            assertEquals(0, r.overflowMarkers());
            assertEquals(0, r.skipped());
        }
    }

    @Test
    void prophesseFilesAreDetectedFromTheirHeaders() throws IOException {
        assertEquals(RecordingFormat.EVT2, Recordings.detect(SharedData.real("prophesee_gen3_evt2_sample.raw")));
        assertEquals(RecordingFormat.EVT3, Recordings.detect(SharedData.real("prophesee_gen41_evt3_sample.raw")));
    }

    /** The raw little-endian record bytes of a 1-D structured .npy file (header parsed here). */
    static ByteBuffer npyRecords(Path npy) throws IOException {
        byte[] all = Files.readAllBytes(npy);
        assertEquals("\u0093NUMPY", new String(all, 0, 6, StandardCharsets.ISO_8859_1));
        int major = all[6];
        int headerLen;
        int start;
        ByteBuffer bb = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        if (major == 1) {
            headerLen = bb.getShort(8) & 0xFFFF;
            start = 10;
        } else {
            headerLen = bb.getInt(8);
            start = 12;
        }
        String header = new String(all, start, headerLen, StandardCharsets.ISO_8859_1);
        assertTrue(header.contains("'fortran_order': False"), header);
        Matcher shape = Pattern.compile("'shape': \\((\\d+),\\)").matcher(header);
        assertTrue(shape.find(), header);
        int n = Integer.parseInt(shape.group(1));
        int itemSize = 16;
        assertTrue(header.contains("('t', '<i8'), ('x', '<i2'), ('y', '<i2'), ('p', '|u1')"), header);
        int data = start + headerLen;
        assertEquals((long) n * itemSize, all.length - data);
        return ByteBuffer.wrap(all, data, all.length - data).slice().order(ByteOrder.LITTLE_ENDIAN);
    }
}
