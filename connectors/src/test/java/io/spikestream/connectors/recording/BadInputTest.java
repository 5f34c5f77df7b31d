package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken files give a {@link RecordingFormatException} naming the file, the byte offset and the
 * problem, or are skipped and counted where the format can resynchronise; never a hang or an
 * allocation sized by the file. Files that merely end early are not errors: they are reported as
 * a {@link Truncation} (see {@link TruncationTest}).
 */
class BadInputTest {
    static final SensorGeometry G = new SensorGeometry(128, 128);

    @TempDir Path dir;

    private Path write(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    private Path recording(String name, int events) throws IOException {
        Path f = dir.resolve(name);
        try (EventWriter w = Recordings.writer(f, G)) {
            w.write(TestEvents.random(3, events, 1000, 20, G));
        }
        return f;
    }

    /** Reads the whole file and returns the failure, checking it names the file and an offset. */
    private RecordingFormatException failure(Path f) {
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> {
            try (EventReader r = Recordings.open(f)) {
                TestEvents.readAll(r, 1000);
            }
        });
        assertEquals(f, e.file());
        assertTrue(e.getMessage().startsWith(f + " at byte " + e.offset() + ": "), e.getMessage());
        return e;
    }

    /** Reads the whole file, which must not fail, and returns where it was cut. */
    private Truncation truncation(Path f) throws IOException {
        try (EventReader r = Recordings.open(f)) {
            TestEvents.readAll(r, 1000);
            Truncation t = r.truncation().orElseThrow(() -> new AssertionError(f + " not reported as truncated"));
            assertEquals(f, t.file());
            assertTrue(t.toException().getMessage().startsWith(f + " at byte " + t.atByte() + ": truncated"), t.reason());
            return t;
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"t.aedat", "t.aedat4", "t.raw", "t.bin", "t.csv"})
    void truncatedFilesAreReportedNamingTheOffset(String name) throws IOException {
        Path f = recording(name, 5000);
        byte[] all = Files.readAllBytes(f);
        Path cut = write("cut-" + name, Arrays.copyOf(all, all.length - 3));
        Truncation t = truncation(cut);
        assertTrue(t.atByte() > 0 && t.atByte() < all.length, "offset " + t.atByte());
    }

    @Test
    void aFileCutInsideItsHeaderHasNoEventsAndSaysSo() throws IOException {
        Path f = write("h.aedat4", "#!AER-DAT4.0\r\n\u0010\u0000".getBytes(StandardCharsets.ISO_8859_1));
        Truncation t = truncation(f);
        assertEquals(Aedat4Reader.VERSION_LINE.length(), t.atByte());
        assertTrue(t.reason().contains("IOHeader size"), t.reason());
    }

    @Test
    void wrongMagicIsRejectedByEachReader() throws IOException {
        Path evt2 = recording("w.raw", 10);
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> new Aedat31Reader(evt2));
        assertEquals(0, e.offset());
        assertTrue(e.getMessage().contains("wrong magic"), e.getMessage());
        assertThrows(RecordingFormatException.class, () -> new Aedat4Reader(evt2));
        assertThrows(RecordingFormatException.class, () -> new Aedat2Reader(evt2));
        Path aedat = recording("w.aedat", 10);
        assertThrows(RecordingFormatException.class, () -> new Evt2Reader(aedat));
        Path v9 = write("v9.aedat", "#!AER-DAT9.9\r\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(RecordingFormatException.class, () -> Recordings.detect(v9)).getMessage()
                .contains("unsupported AEDAT version"));
    }

    @Test
    void unknownContentAndEmptyFilesAreNotGuessed() throws IOException {
        Path junk = write("junk.dat", "hello, this is not a recording at all".getBytes(StandardCharsets.US_ASCII));
        assertTrue(assertThrows(RecordingFormatException.class, () -> Recordings.detect(junk)).getMessage()
                .contains("unknown recording format"));
        Path empty = write("empty.raw", new byte[0]);
        assertTrue(assertThrows(RecordingFormatException.class, () -> Recordings.open(empty)).getMessage()
                .contains("empty file"));
    }

    @Test
    void aedat31PacketHeaderWithMoreEventsThanCapacityIsCorrupt() throws IOException {
        byte[] header = SyntheticFiles.AEDAT31_HEADER.getBytes(StandardCharsets.US_ASCII);
        Path f = write("c.aedat", SyntheticFiles.concat(header, SyntheticFiles.aedat31PacketHeader(1, 8, 4, 0, 2, 5, 1)));
        RecordingFormatException e = failure(f);
        assertEquals(header.length, e.offset());
        assertTrue(e.getMessage().contains("corrupt packet header"), e.getMessage());
    }

    @Test
    void aedat31ImpossibleEventSizeIsRejectedAndAHugeSkippedPacketIsNotAllocated() throws IOException {
        byte[] header = SyntheticFiles.AEDAT31_HEADER.getBytes(StandardCharsets.US_ASCII);
        Path size = write("s.aedat", SyntheticFiles.concat(header,
                SyntheticFiles.aedat31PacketHeader(1, Integer.MAX_VALUE, 4, 0, 1, 1, 1)));
        assertTrue(failure(size).getMessage().contains("impossible event size"));
        // a frame packet claiming 2^30 events of 32 bytes: skipped by streaming, ends as truncated
        Path huge = write("h.aedat", SyntheticFiles.concat(header,
                SyntheticFiles.aedat31PacketHeader(2, 32, 4, 0, 1 << 30, 1 << 30, 1 << 30), new byte[100]));
        Truncation t = truncation(huge);
        assertTrue(t.reason().contains("truncated packet of event type 2"), t.reason());
        assertEquals(0L, t.eventsLost(), "a frame packet holds no polarity event");
        Path polaritySize = write("p.aedat", SyntheticFiles.concat(header,
                SyntheticFiles.aedat31PacketHeader(1, 16, 4, 0, 1, 1, 1), new byte[16]));
        assertTrue(failure(polaritySize).getMessage().contains("corrupt polarity packet header"));
    }

    @Test
    void aedat4HostileSizesAreRejectedBeforeAllocation() throws IOException {
        Path f = recording("z.aedat4", 100);
        byte[] all = Files.readAllBytes(f);
        int ioSizeAt = Aedat4Reader.VERSION_LINE.length();
        int ioSize = ByteBuffer.wrap(all, ioSizeAt, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int packetAt = ioSizeAt + 4 + ioSize;

        byte[] bigHeader = all.clone();
        ByteBuffer.wrap(bigHeader).order(ByteOrder.LITTLE_ENDIAN).putInt(ioSizeAt, Integer.MAX_VALUE);
        RecordingFormatException e = failure(write("ioh.aedat4", bigHeader));
        assertEquals(ioSizeAt, e.offset());
        assertTrue(e.getMessage().contains("impossible IOHeader size"), e.getMessage());

        byte[] bigPacket = all.clone();
        ByteBuffer.wrap(bigPacket).order(ByteOrder.LITTLE_ENDIAN).putInt(packetAt + 4, Integer.MAX_VALUE);
        e = failure(write("pkt.aedat4", bigPacket));
        assertEquals(packetAt, e.offset());
        assertTrue(e.getMessage().contains("impossible packet size"), e.getMessage());

        byte[] badRoot = all.clone();
        ByteBuffer.wrap(badRoot).order(ByteOrder.LITTLE_ENDIAN).putInt(ioSizeAt + 4, 0x7FFF_FFF0);
        e = failure(write("root.aedat4", badRoot));
        assertTrue(e.getMessage().contains("corrupt IOHeader"), e.getMessage());

        byte[] badFrame = all.clone();
        Arrays.fill(badFrame, packetAt + 8 + 7, packetAt + 8 + 40, (byte) 0x5A);
        e = failure(write("lz4.aedat4", badFrame));
        assertEquals(packetAt, e.offset());
        assertTrue(e.getMessage().contains("corrupt LZ4"), e.getMessage());
    }

    @Test
    void eventsOutsideTheSensorAreSkippedAndCounted() throws IOException {
        String h = "% evt 2.0\n% format EVT2;height=480;width=640\n% end\n";
        int inside = 0x1000_0000 | (5 << 11) | 6;
        int outsideX = 0x1000_0000 | (640 << 11) | 6;
        int outsideY = (5 << 11) | 480;
        Path f = write("o.raw", SyntheticFiles.evt2(h, 0x8000_0000, inside, outsideX, outsideY, inside));
        try (EventReader r = Recordings.open(f)) {
            EventBatch b = TestEvents.readAll(r, 10);
            assertEquals(2, b.size());
            assertEquals(2, r.skipped());
        }
    }

    @Test
    void rawHeaderWithoutGeometryOrKnownSensorIsRejected() throws IOException {
        Path f = write("g.raw", SyntheticFiles.evt2("% evt 2.0\n% plugin_name mystery_camera\n", 0x8000_0000));
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> Recordings.open(f));
        assertTrue(e.getMessage().contains("no geometry"), e.getMessage());
        Path huge = write("hg.raw", SyntheticFiles.evt2("% evt 2.0\n% geometry 99999999999x5\n", 0x8000_0000));
        assertTrue(assertThrows(RecordingFormatException.class, () -> Recordings.open(huge)).getMessage()
                .contains("impossible geometry"));
    }

    @Test
    void aHeaderLineWithoutEndIsBoundedByTheWindow() throws IOException {
        byte[] endless = new byte[(1 << 20) + 10];
        Arrays.fill(endless, (byte) 'a');
        endless[0] = '%';
        Path f = write("endless.raw", endless);
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> new Evt2Reader(f));
        assertTrue(e.getMessage().contains("header line longer than"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"m.aedat", "m.aedat4", "m.raw", "m.bin", "m.csv"})
    void aHugeBatchRequestIsCappedInsteadOfAllocated(String name) throws IOException {
        Path f = recording(name, 10_000);
        try (EventReader r = Recordings.open(f)) {
            EventBatch b = new EventBatch(16);
            assertTrue(r.read(b, Integer.MAX_VALUE));
            assertEquals(10_000, b.size());
            assertTrue(b.capacity() <= 1 << 21, "capacity " + b.capacity());
        }
    }

    @Test
    void evt3WithAnOddTrailingByteIsReportedAsCut() throws IOException {
        byte[] ok = SyntheticFiles.evt3(DecoderWordsTest.EVT3_HEADER, 0x8001, 0x0001, 0x2001);
        Path f = write("odd.raw", Arrays.copyOf(ok, ok.length + 1));
        Truncation t = truncation(f);
        assertEquals(ok.length, t.atByte());
        assertEquals(null, t.eventsLost(), "one byte of a 16-bit word does not show its type");
    }

    @Test
    void malformedCsvLineIsReportedWithItsLineNumber() throws IOException {
        Path f = write("bad.csv", "t,x,y,p\n1,2,3,1\n2,x,3,0\n".getBytes(StandardCharsets.US_ASCII));
        RecordingFormatException e = failure(f);
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertEquals("t,x,y,p\n1,2,3,1\n".length(), e.offset());
        Path pol = write("pol.csv", "t,x,y,p\n1,2,3,7\n".getBytes(StandardCharsets.US_ASCII));
        assertTrue(failure(pol).getMessage().contains("polarity 7"));
    }
}
