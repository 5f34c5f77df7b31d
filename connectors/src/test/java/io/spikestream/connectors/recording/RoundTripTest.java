package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every writer's output reads back as exactly the events written. */
class RoundTripTest {
    static final SensorGeometry DVS128 = new SensorGeometry(128, 128);
    static final long UNIX_US = 1_605_537_493_718_345L;

    @TempDir Path dir;

    private EventBatch roundTrip(String name, SensorGeometry g, EventBatch events, int writeChunk) throws IOException {
        Path f = dir.resolve(name);
        try (EventWriter w = Recordings.writer(f, g)) {
            for (int from = 0; from < events.size(); from += writeChunk) {
                EventBatch part = new EventBatch();
                part.addAll(events, from, Math.min(events.size(), from + writeChunk));
                w.write(part);
            }
        }
        try (EventReader r = Recordings.open(f)) {
            assertEquals(Recordings.formatForExtension(f).orElseThrow(), r.format());
            if (r.format() != RecordingFormat.CSV && r.format() != RecordingFormat.NMNIST) {
                assertEquals(g, r.geometry());
            }
            EventBatch back = TestEvents.readAll(r, 3_001);
            assertEquals(0, r.skipped());
            return back;
        }
    }

    private void assertExact(EventBatch expected, EventBatch actual) {
        assertTrue(expected.sameEvents(actual), TestEvents.describeFirstDifference(expected, actual));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.aedat", "a.aedat4", "a.raw", "a.bin", "a.csv"})
    void everyWritableFormatRoundTripsARandomRecording(String name) throws IOException {
        EventBatch events = TestEvents.random(7, 150_000, 12, 40, DVS128);
        assertExact(events, roundTrip(name, DVS128, events, 40_000));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a.aedat", "a.aedat4", "a.raw", "a.csv"})
    void absoluteUnixMicrosecondTimestampsRoundTrip(String name) throws IOException {
        SensorGeometry g = new SensorGeometry(640, 480);
        EventBatch events = TestEvents.random(8, 20_000, UNIX_US, 100, g);
        assertExact(events, roundTrip(name, g, events, 5_000));
    }

    @Test
    void nmnistReachesLargeTimestampsThroughOverflowMarkers() throws IOException {
        EventBatch events = TestEvents.random(9, 5_000, (1L << 31) + 5, 50_000, new SensorGeometry(34, 34));
        assertExact(events, roundTrip("big.bin", new SensorGeometry(34, 34), events, 1_000));
    }

    @Test
    void evt2KeepsTimeAcrossTimeHighWrapsLongGapsAndJitter() throws IOException {
        SensorGeometry g = new SensorGeometry(640, 480);
        EventBatch e = new EventBatch();
        long wrap = 1L << 34;
        e.add(wrap - 200, 1, 2, 1);
        e.add(wrap - 3, 3, 4, 0);
        e.add(wrap + 5, 5, 6, 1); // TIME_HIGH wraps from 2^28-1 to 0
        e.add(wrap - 2, 7, 8, 0); // jitter stepping back across the wrap
        e.add(wrap + 70, 9, 10, 1);
        e.add(3 * wrap + 12_345, 11, 12, 1); // a gap of two whole wraps
        e.add(3 * wrap + 12_300, 13, 14, 0); // a small step back
        e.add(5 * wrap + (1L << 33) + 1, 15, 16, 1);
        assertExact(e, roundTrip("wraps.raw", g, e, 3));
    }

    @Test
    void aedat31SplitsPacketsAtTheTimestampOverflow() throws IOException {
        EventBatch e = new EventBatch();
        long o = 1L << 31;
        for (int i = 0; i < 1000; i++) {
            e.add(o - 500 + i, i % 128, (i * 3) % 128, i & 1);
        }
        e.add(7 * o + 9, 1, 1, 1);
        assertExact(e, roundTrip("overflow.aedat", DVS128, e, 333));
    }

    @Test
    void writersRejectEventsOutsideTheirSensor() throws IOException {
        EventBatch e = new EventBatch();
        e.add(1, 128, 0, 1);
        for (String name : new String[] {"o.aedat", "o.aedat4", "o.raw", "o.bin", "o.csv"}) {
            try (EventWriter w = Recordings.writer(dir.resolve(name), DVS128)) {
                IOException ex = assertThrows(IOException.class, () -> w.write(e), name);
                assertTrue(ex.getMessage().contains("outside"), ex.getMessage());
            }
        }
    }

    @Test
    void anEmptyRecordingRoundTripsInEveryFormat() throws IOException {
        for (String name : new String[] {"e.aedat", "e.aedat4", "e.raw", "e.csv"}) {
            assertEquals(0, roundTrip(name, DVS128, new EventBatch(), 1).size(), name);
        }
    }

    @Test
    void writerRefusesUnknownExtensions() {
        assertThrows(IllegalArgumentException.class, () -> Recordings.writer(dir.resolve("x.mp4"), DVS128));
        assertTrue(Recordings.formatForExtension(Path.of("x.mp4")).isEmpty());
    }
}
