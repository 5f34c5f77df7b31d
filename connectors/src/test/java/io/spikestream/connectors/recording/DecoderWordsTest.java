package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each word type and address layout decodes to the documented events. */
class DecoderWordsTest {
    static final String EVT3_HEADER = "% evt 3.0\n% format EVT3;height=720;width=1280\n% end\n";
    static final Path NAME = Path.of("synthetic");

    @TempDir Path dir;

    private static void assertEvent(EventBatch b, int i, long t, int x, int y, int p) {
        assertEquals(t, b.t(i), "t of event " + i);
        assertEquals(x, b.x(i), "x of event " + i);
        assertEquals(y, b.y(i), "y of event " + i);
        assertEquals(p, b.p(i), "p of event " + i);
    }

    @Test
    void decodesEveryWordTypeOfEvt3() throws IOException {
        byte[] file = SyntheticFiles.evt3(EVT3_HEADER,
                0x8005, // TIME_HIGH 5
                0x6064, // TIME_LOW 100
                0x000A, // ADDR_Y 10
                0x2803, // ADDR_X 3, ON
                0x3014, // VECT_BASE_X 20, OFF
                0x4805, // VECT_12 bits 0, 2, 11 -> x 20, 22, 31
                0x5081, // VECT_8 bits 0, 7 -> x 32, 39
                0x7001, // CONTINUED_4
                0xF123, // CONTINUED_12
                0xE000, // OTHERS
                0xA101, // EXT_TRIGGER
                0x605F, // TIME_LOW 95: a step back of 5 µs is not a wrap
                0x2004, // ADDR_X 4, OFF
                0x8FFF, // TIME_HIGH 4095
                0x2005, // ADDR_X 5 at 4095·4096 (TIME_LOW restarts at 0)
                0x8000, // TIME_HIGH 0: wrap
                0x6001, // TIME_LOW 1
                0x2806); // ADDR_X 6, ON
        try (Evt3Reader r = new Evt3Reader(NAME, new ByteArrayInputStream(file))) {
            assertEquals(new SensorGeometry(1280, 720), r.geometry());
            EventBatch b = TestEvents.readAll(r, 4);
            long t = 5 * 4096 + 100;
            assertEquals(9, b.size());
            assertEvent(b, 0, t, 3, 10, 1);
            assertEvent(b, 1, t, 20, 10, 0);
            assertEvent(b, 2, t, 22, 10, 0);
            assertEvent(b, 3, t, 31, 10, 0);
            assertEvent(b, 4, t, 32, 10, 0);
            assertEvent(b, 5, t, 39, 10, 0);
            assertEvent(b, 6, 5 * 4096 + 95, 4, 10, 0);
            assertEvent(b, 7, 4095L * 4096, 5, 10, 0);
            assertEvent(b, 8, (1L << 24) + 1, 6, 10, 1);
            assertEquals(4, r.ignoredWords());
            assertEquals(1, r.triggers());
            assertEquals(0, r.skipped());
        }
    }

    @Test
    void evt3TimeKeepsGrowingAcrossManyTimeHighWraps() throws IOException {
        int[] words = new int[3 * 4096 * 2];
        int k = 0;
        for (int round = 0; round < 3; round++) {
            for (int high = 0; high < 4096; high++) {
                words[k++] = 0x8000 | high;
                words[k++] = 0x2000 | (high % 1280);
            }
        }
        try (Evt3Reader r = new Evt3Reader(NAME, new ByteArrayInputStream(SyntheticFiles.evt3(EVT3_HEADER, words)))) {
            EventBatch b = TestEvents.readAll(r, 1000);
            assertEquals(3 * 4096, b.size());
            for (int i = 0; i < b.size(); i++) {
                assertEquals((long) i * 4096, b.t(i));
            }
        }
    }

    @Test
    void evt3SkipsAndCountsEventsOutsideTheSensor() throws IOException {
        byte[] file = SyntheticFiles.evt3(EVT3_HEADER,
                0x0064, // ADDR_Y 100
                0x27D0, // ADDR_X 2000: outside 1280
                0x3000 | 1275, // VECT_BASE_X 1275
                0x4FFF, // 12 events at x 1275..1286: 5 inside
                0x02D0, // ADDR_Y 720: outside
                0x2001); // ADDR_X 1 on row 720
        try (Evt3Reader r = new Evt3Reader(NAME, new ByteArrayInputStream(file))) {
            EventBatch b = TestEvents.readAll(r, 100);
            assertEquals(5, b.size());
            assertEquals(1279, b.x(4));
            assertEquals(1 + 7 + 1, r.skipped());
        }
    }

    @Test
    void evt2DecodesCdTimeHighAndCountsTriggers() throws IOException {
        String h = "% evt 2.0\n% geometry 640x480\n";
        int timeHigh = 0x8000_0000 | 1000; // t = 64000 + low
        int on = 0x1000_0000 | (7 << 22) | (600 << 11) | 470;
        int off = (63 << 22) | (2 << 11) | 3;
        int trigger = 0xA000_0001;
        int outside = 0x1000_0000 | (641 << 11) | 3;
        byte[] file = SyntheticFiles.evt2(h, timeHigh, on, trigger, off, outside, 0xE000_0000);
        try (Evt2Reader r = new Evt2Reader(NAME, new ByteArrayInputStream(file))) {
            assertEquals(new SensorGeometry(640, 480), r.geometry());
            EventBatch b = TestEvents.readAll(r, 10);
            assertEquals(2, b.size());
            assertEvent(b, 0, 64_007, 600, 470, 1);
            assertEvent(b, 1, 64_063, 2, 3, 0);
            assertEquals(1, r.triggers());
            assertEquals(2, r.ignoredWords());
            assertEquals(1, r.skipped());
        }
    }

    @Test
    void aPayloadWordStartingWithThePercentByteIsNotTakenForHeader() throws IOException {
        // no '% end' line, as in camera files; the first TIME_HIGH's low byte is '%' (0x25)
        String h = "% evt 2.0\n% geometry 640x480\n";
        int timeHigh = 0x8000_0000 | 0x0325; // bytes 25 03 00 80: starts with the prefix byte
        int event = 0x1000_0000 | (5 << 22) | (7 << 11) | 9;
        byte[] file = SyntheticFiles.evt2(h, timeHigh, event);
        try (Evt2Reader r = new Evt2Reader(NAME, new ByteArrayInputStream(file))) {
            EventBatch b = TestEvents.readAll(r, 10);
            assertEquals(1, b.size());
            assertEvent(b, 0, (0x0325L << 6) + 5, 7, 9, 1);
        }
    }

    @Test
    void prophesseeGeometryComesFromThePluginNameWhenTheHeaderGivesNoSize() throws IOException {
        byte[] file = SyntheticFiles.evt3("% evt 3.0\n% plugin_name hal_plugin_gen41_evk3\n", 0x8001);
        try (Evt3Reader r = new Evt3Reader(NAME, new ByteArrayInputStream(file))) {
            assertEquals(new SensorGeometry(1280, 720), r.geometry());
        }
    }

    @Test
    void aedat2Dvs128AddressesAreReadAsJaerDisplaysThemWithATopLeftOrigin() throws IOException {
        String[] header = {"#!AER-DAT2.0", "# This is a raw AE data file", "# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128"};
        byte[] file = SyntheticFiles.aedat2(header,
                (0 << 8) | (5 << 1) | 1, 100, // raw x 5 = jAER x 122, y 0 = bottom row; raw polarity 1 = OFF
                (127 << 8) | (0 << 1) | 0, 200, // raw x 0 = jAER x 127, y 127 = top row; raw 0 = ON
                1 << 15, 250, // external event
                (3 << 8) | (4 << 1), 0xFFFF_FFF0, // timestamps read unsigned
                (3 << 8) | (4 << 1) | 1, 0x10); // a 32-bit wrap
        Path f = dir.resolve("dvs128.aedat");
        Files.write(f, file);
        assertEquals(RecordingFormat.AEDAT2, Recordings.detect(f));
        try (Aedat2Reader r = (Aedat2Reader) Recordings.open(f)) {
            assertEquals(new SensorGeometry(128, 128), r.geometry());
            EventBatch b = TestEvents.readAll(r, 2);
            assertEquals(4, b.size());
            assertEvent(b, 0, 100, 122, 127, 0);
            assertEvent(b, 1, 200, 127, 0, 1);
            assertEvent(b, 2, 0xFFFF_FFF0L, 123, 124, 1);
            assertEvent(b, 3, (1L << 32) + 0x10, 123, 124, 0);
            assertEquals(1, r.ignoredWords());
        }
    }

    @Test
    void aedat2DavisEventsUseTheDavisLayoutAndSkipApsSamples() throws IOException {
        String[] header = {"#!AER-DAT2.0", "# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C"};
        byte[] file = SyntheticFiles.aedat2(header,
                (10 << 22) | (200 << 12) | (1 << 11), 5,
                0x8000_0000 | (3 << 22), 6, // APS sample
                (179 << 22) | (0 << 12), 7,
                (1 << 10), 8); // external event
        try (Aedat2Reader r = new Aedat2Reader(NAME, new ByteArrayInputStream(file))) {
            assertEquals(new SensorGeometry(240, 180), r.geometry());
            EventBatch b = TestEvents.readAll(r, 10);
            assertEquals(2, b.size());
            assertEvent(b, 0, 5, 39, 169, 1); // jAER: x = 239 - 200
            assertEvent(b, 1, 7, 239, 0, 0);
            assertEquals(2, r.ignoredWords());
        }
    }

    @Test
    void aedat31SkipsOtherPacketTypesAndInvalidEvents() throws IOException {
        ByteBuffer events = ByteBuffer.allocate(3 * 8).order(ByteOrder.LITTLE_ENDIAN);
        events.putInt(1 | (1 << 1) | (7 << 2) | (9 << 17)).putInt(50); // valid ON (9, 7)
        events.putInt(0 | (3 << 2) | (3 << 17)).putInt(60); // valid bit 0: skipped
        events.putInt(1 | (127 << 2) | (0 << 17)).putInt(70); // valid OFF (0, 127)
        byte[] file = SyntheticFiles.concat(
                SyntheticFiles.AEDAT31_HEADER.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                SyntheticFiles.aedat31PacketHeader(2, 12, 4, 0, 2, 2, 2), new byte[24], // a frame-like packet
                SyntheticFiles.aedat31PacketHeader(1, 8, 4, 3, 3, 3, 2), events.array());
        try (Aedat31Reader r = new Aedat31Reader(NAME, new ByteArrayInputStream(file))) {
            EventBatch b = TestEvents.readAll(r, 10);
            assertEquals(2, b.size());
            assertEvent(b, 0, (3L << 31) | 50, 9, 7, 1);
            assertEvent(b, 1, (3L << 31) | 70, 0, 127, 0);
            assertEquals(1, r.skipped());
        }
    }

    @Test
    void aedat31GeometryComesFromTheSourceLineOrAReloggedSource() throws IOException {
        String[][] headers = {
            {"#Source 1: DAVIS346B", "346x260"},
            {"#-Source 0: DAVIS240C\r\n#Source 1: Network", "240x180"},
            {"#Source 1: spikestream sizeX=64 sizeY=48", "64x48"},
        };
        for (String[] h : headers) {
            String header = "#!AER-DAT3.1\r\n#Format: RAW\r\n" + h[0] + "\r\n#!END-HEADER\r\n";
            try (Aedat31Reader r = new Aedat31Reader(NAME, new ByteArrayInputStream(header.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))) {
                assertEquals(h[1], r.geometry().toString(), h[0]);
            }
        }
    }

    @Test
    void formatsAreDetectedFromContentWhateverTheExtension() throws IOException {
        EventBatch e = TestEvents.random(1, 100, 0, 10, new SensorGeometry(34, 34));
        for (String ext : new String[] {"aedat", "aedat4", "raw", "bin", "csv"}) {
            Path written = dir.resolve("x." + ext);
            try (EventWriter w = Recordings.writer(written, new SensorGeometry(34, 34))) {
                w.write(e);
            }
            Path renamed = dir.resolve("misnamed-" + ext + ".dat");
            Files.move(written, renamed);
            RecordingFormat expected = Recordings.formatForExtension(written).orElseThrow();
            assertEquals(expected, Recordings.detect(renamed), ext);
            try (EventReader r = Recordings.open(renamed)) {
                assertTrue(e.sameEvents(TestEvents.readAll(r, 64)), ext);
            }
        }
    }
}
