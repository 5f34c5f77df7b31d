package io.spikestream.connectors.recording;

import io.spikestream.testkit.SharedData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.IntFunction;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recordings cut short at many offsets (inside the header, at every kind of record or packet
 * boundary, inside records, packets and compressed blocks) give exactly the prefix of complete
 * events of the uncut read, a truncation report where the cut can be seen, and no exception; the
 * strict report fails at every reported cut.
 *
 * <p>The expected event count at each cut comes from walking the file's structure here (header
 * length, record sizes, packet headers, word types), not from the readers.
 */
class TruncationTest {
    @TempDir Path dir;

    /**
     * What a cut must give: between {@code min} and {@code max} events (equal unless the cut is
     * inside a compressed block); {@code reported} true, false, or null where either is right (a
     * cut between header lines); {@code lost} the expected events lost, {@link #ANY_LOST} when not
     * fixed by the layout ({@code cutUnitEvents} then bounds it).
     */
    record Expect(int min, int max, Boolean reported, Long lost, int cutUnitEvents) {
        static Expect exact(int events, boolean reported, Long lost) {
            return new Expect(events, events, reported, lost, -1);
        }

        static Expect whole(int events) {
            return new Expect(events, events, false, null, -1);
        }
    }

    static final Long ANY_LOST = Long.MIN_VALUE;
    private static final PrintWriter NOWHERE = new PrintWriter(Writer.nullWriter());

        /** Cuts {@code all} at each offset, reads it and checks it against {@code expect}. */
    private void checkCuts(String name, byte[] all, TreeSet<Integer> offsets, IntFunction<Expect> expect) throws IOException {
        EventBatch whole;
        Path full = dir.resolve("full-" + name);
        Files.write(full, all);
        try (EventReader r = Recordings.open(full)) {
            whole = TestEvents.readAll(r, 50_000);
            assertTrue(r.truncation().isEmpty(), "the uncut file is whole: " + r.truncation());
        }
        assertEquals(expect.apply(all.length).min(), whole.size(), name + ": the oracle counts the uncut file's events");
        int batch = 1;
        for (int cut : offsets) {
            if (cut <= 0 || cut > all.length) {
                continue;
            }
            Expect e = expect.apply(cut);
            Path f = dir.resolve(name.replaceFirst("^(.*?)(\\.[^.]*)?$", "$1-cut$2"));
            Files.write(f, java.util.Arrays.copyOf(all, cut));
            batch = batch * 7 % 5003; // vary the batch size: a cut must not depend on it
            EventBatch got;
            Optional<Truncation> t;
            try (EventReader r = Recordings.open(f)) {
                got = TestEvents.readAll(r, batch);
                t = r.truncation();
                assertFalse(r.read(new EventBatch(), 10), "nothing after the end");
            } catch (IOException | RuntimeException ex) {
                throw new AssertionError(name + " cut at " + cut + " of " + all.length + " threw " + ex, ex);
            }
            String at = name + " cut at " + cut + " of " + all.length + " (" + t.map(Truncation::warning).orElse("not reported") + ")";
            assertTrue(got.size() >= e.min() && got.size() <= e.max(),
                    at + ": " + got.size() + " events, expected " + e.min() + (e.max() > e.min() ? ".." + e.max() : ""));
            for (int i = 0; i < got.size(); i++) {
                if (got.t(i) != whole.t(i) || got.x(i) != whole.x(i) || got.y(i) != whole.y(i) || got.p(i) != whole.p(i)) {
                    throw new AssertionError(at + ": event " + i + " differs from the uncut read");
                }
            }
            if (e.reported() != null) {
                assertEquals(e.reported(), t.isPresent(), at);
            }
            if (t.isPresent()) {
                Truncation tr = t.get();
                assertEquals(f, tr.file(), at);
                assertTrue(tr.atByte() >= 0 && tr.atByte() <= cut, at);
                if (e.lost() == ANY_LOST) {
                    if (tr.eventsLost() != null) {
                        assertEquals(e.cutUnitEvents() - (got.size() - e.min()), tr.eventsLost(), at + ": lost = the cut packet's events not kept");
                    }
                } else if (e.reported() != null) {
                    assertEquals(e.lost(), tr.eventsLost(), at);
                }
                RecordingFormatException strict = assertThrows(RecordingFormatException.class, () -> Truncation.report(t, true, NOWHERE), at);
                assertEquals(f + " at byte " + tr.atByte() + ": " + tr.reason(), strict.getMessage());
                StringWriter w = new StringWriter();
                Truncation.report(t, false, new PrintWriter(w));
                assertEquals(1, w.toString().lines().count(), w.toString());
            }
        }
    }

    /**
     * Offsets around each boundary (b-1, b, b+1) and {@code random} more; the boundaries name the
     * inside of units too. Reading a cut costs its length: big files get boundaries near their
     * start and end only.
     */
    private static TreeSet<Integer> offsets(int length, List<Integer> boundaries, int from, int random, long seed) {
        TreeSet<Integer> s = new TreeSet<>();
        for (int b : boundaries) {
            for (int d = -1; d <= 1; d++) {
                s.add(b + d);
            }
        }
        Random r = new Random(seed);
        // in big files, random cuts stay in the first fifth: every kind of unit is there, and cheap to read
        int span = length > 500_000 ? length / 5 : length;
        for (int i = 0; i < random; i++) {
            s.add(from + r.nextInt(span - from));
        }
        s.add(length);
        s.add(length - 1);
        s.removeIf(o -> o < from || o > length);
        return s;
    }

    /** The first {@code first} and the last {@code last} of a list (all when short). */
    private static List<Integer> ends(List<Integer> starts, int first, int last) {
        if (starts.size() <= first + last) {
            return starts;
        }
        List<Integer> out = new ArrayList<>(starts.subList(0, first));
        out.addAll(starts.subList(starts.size() - last, starts.size()));
        return out;
    }

    /** Unit indexes to cut at in a stream of {@code n} fixed-size units: first ones, middle, last. */
    private static List<Integer> spread(int n) {
        return n > 100_000 ? List.of(0, 1, 2, n / 50, n - 1) : List.of(0, 1, 2, n / 3, n / 2, n - 2, n - 1);
    }

    private static int indexOf(byte[] all, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + b.length <= all.length; i++) {
            for (int j = 0; j < b.length; j++) {
                if (all[i + j] != b[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** End of the leading lines that start with {@code prefix} (a text header without end line). */
    private static int textHeaderEnd(byte[] all, char prefix) {
        int p = 0;
        while (p < all.length && all[p] == prefix) {
            while (all[p] != '\n') {
                p++;
            }
            p++;
        }
        return p;
    }

    /** Line starts inside a text header, as cut boundaries. */
    private static List<Integer> lineStarts(byte[] all, int headerEnd) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < headerEnd; i++) {
            if (all[i] == '\n') {
                out.add(i + 1);
            }
        }
        return out;
    }

    /** A header cut: no event; seen unless the cut falls between two lines. */
    private static Expect headerCut(byte[] all, int cut) {
        return new Expect(0, 0, all[cut - 1] == '\n' ? null : Boolean.TRUE, null, -1);
    }

    private static int i32(byte[] b, int at) {
        return ByteBuffer.wrap(b, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    }

    private byte[] written(String name, SensorGeometry g, EventBatch events, int chunk) throws IOException {
        Path f = dir.resolve("w-" + name);
        try (EventWriter w = Recordings.writer(f, g)) {
            for (int from = 0; from < events.size(); from += chunk) {
                EventBatch part = new EventBatch();
                part.addAll(events, from, Math.min(events.size(), from + chunk));
                w.write(part);
            }
        }
        return Files.readAllBytes(f);
    }

    // ---------------------------------------------------------------- AEDAT 3.1

    @Test
    void aedat31WriterOutput() throws IOException {
        SensorGeometry g = new SensorGeometry(128, 128);
        byte[] all = written("a.aedat", g, TestEvents.random(1, 4_000, 10, 30, g), 700);
        checkAedat31("a.aedat", all);
    }

    private void checkAedat31(String name, byte[] all) throws IOException {
        int header = indexOf(all, Aedat31Reader.END_LINE + "\r\n") + Aedat31Reader.END_LINE.length() + 2;
        List<int[]> packets = new ArrayList<>(); // start, events
        for (int p = header; p < all.length; p += 28 + 8 * i32(all, p + 16)) {
            assertEquals(1, all[p], "polarity packets only");
            packets.add(new int[] {p, i32(all, p + 16)});
        }
        List<Integer> bounds = new ArrayList<>(lineStarts(all, header));
        for (int[] pk : packets) {
            bounds.add(pk[0]);
            bounds.add(pk[0] + 14);
            bounds.add(pk[0] + 28);
            bounds.add(pk[0] + 28 + 8 * (pk[1] / 2) + 3);
        }
        checkCuts(name, all, offsets(all.length, bounds, Aedat31Reader.VERSION_LINE.length(), 20, 1), cut -> {
            if (cut < header) {
                // every header cut is seen: the file ends before #!END-HEADER
                return Expect.exact(0, true, null);
            }
            int events = 0;
            for (int[] pk : packets) {
                int start = pk[0];
                int n = pk[1];
                if (cut >= start + 28 + 8 * n) {
                    events += n;
                } else if (cut == start) {
                    return Expect.whole(events);
                } else if (cut < start + 28) {
                    return Expect.exact(events, true, null);
                } else {
                    int k = (cut - start - 28) / 8;
                    return Expect.exact(events + k, true, (long) (n - k));
                }
            }
            return Expect.whole(events);
        });
    }

    // ---------------------------------------------------------------- AEDAT 2.0

    @Test
    void aedat2SyntheticFile() throws IOException {
        Random r = new Random(2);
        int[] words = new int[2 * 500];
        int t = 100;
        for (int i = 0; i < 500; i++) {
            words[2 * i] = (r.nextInt(128) << 8) | (r.nextInt(128) << 1) | r.nextInt(2);
            words[2 * i + 1] = t += r.nextInt(50);
        }
        byte[] all = SyntheticFiles.aedat2(new String[] {"#!AER-DAT2.0", "# This is a raw AE data file",
                "# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128"}, words);
        int header = textHeaderEnd(all, '#');
        List<Integer> bounds = new ArrayList<>(lineStarts(all, header));
        for (int p = header; p <= all.length; p += 8 * 125) {
            bounds.add(p);
            bounds.add(p + 4);
        }
        checkCuts("s.aedat", all, offsets(all.length, bounds, Aedat2Reader.VERSION_LINE.length(), 15, 2), cut -> {
            if (cut < header) {
                return headerCut(all, cut);
            }
            int rest = (cut - header) % 8;
            return Expect.exact((cut - header) / 8, rest != 0, rest >= 4 ? Long.valueOf(1) : null);
        });
    }

    // ---------------------------------------------------------------- AEDAT 4.0

    @Test
    void aedat4WriterOutputUncompressedLz4AndZstd() throws IOException {
        SensorGeometry g = new SensorGeometry(346, 260);
        byte[] lz4 = written("a.aedat4", g, TestEvents.random(3, 4_000, RoundTripTest.UNIX_US, 30, g), 900);
        for (Aedat4Reader.Compression c : new Aedat4Reader.Compression[] {Aedat4Reader.Compression.NONE,
                Aedat4Reader.Compression.LZ4, Aedat4Reader.Compression.ZSTD}) {
            byte[] all = c == Aedat4Reader.Compression.LZ4 ? lz4 : Aedat4CompressionTest.recompress(lz4, g, c);
            byte[] plain = Aedat4CompressionTest.recompress(lz4, g, Aedat4Reader.Compression.NONE);
            // the writer's uncompressed EventPacket keeps its event count at byte 28 and events from 32
            List<Integer> counts = new ArrayList<>();
            for (int[] pk : aedat4Packets(plain)) {
                counts.add(i32(plain, pk[0] + 8 + 28));
            }
            checkAedat4(c + ".aedat4", all, counts, c == Aedat4Reader.Compression.NONE, -1);
        }
    }

    @Test
    void aedat4RealDvxplorerRecordingWithImuPacketsAndADataTable() throws IOException {
        byte[] all = Files.readAllBytes(SharedData.real("dvxplorer_sample.aedat4"));
        int dataTable = 945_243; // SOURCES.md: IOHeader dataTablePosition
        List<Integer> counts = new ArrayList<>();
        for (int[] pk : aedat4Packets(all)) {
            if (pk[0] >= dataTable) {
                break;
            }
            counts.add(pk[1] == 0 ? lz4EventCount(all, pk[0] + 8, pk[2]) : -1);
        }
        checkAedat4("dvx.aedat4", all, counts, false, dataTable);
    }

    /** Packets after the IOHeader, before the data table if there is one: {start, stream, size}. */
    private static List<int[]> aedat4Packets(byte[] all) {
        int p = Aedat4Reader.VERSION_LINE.length();
        p += 4 + i32(all, p);
        int end = all.length == 949_253 ? 945_243 : all.length; // the real sample's data table (SOURCES.md)
        List<int[]> out = new ArrayList<>();
        while (p + 8 <= end) {
            out.add(new int[] {p, i32(all, p), i32(all, p + 4)});
            p += 8 + i32(all, p + 4);
        }
        return out;
    }

    /** The event count of an LZ4-compressed EventPacket, decompressed with commons-compress's frame reader. */
    private static int lz4EventCount(byte[] all, int at, int size) throws IOException {
        byte[] b;
        try (InputStream z = new FramedLZ4CompressorInputStream(new ByteArrayInputStream(all, at, size))) {
            b = z.readAllBytes();
        }
        int root = 4 + i32(b, 4);
        int vtable = root - i32(b, root);
        int field = root + (ByteBuffer.wrap(b, vtable + 4, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF);
        return i32(b, field + i32(b, field));
    }

    /**
     * {@code counts}: events of each packet (-1 for other streams); {@code plainLayout}: packets
     * are the writer's uncompressed EventPackets, so a cut packet keeps exactly its complete events.
     */
    private void checkAedat4(String name, byte[] all, List<Integer> counts, boolean plainLayout, int dataTable) throws IOException {
        List<int[]> packets = aedat4Packets(all).subList(0, counts.size());
        int header = packets.get(0)[0];
        List<Integer> starts = new ArrayList<>();
        packets.forEach(p -> starts.add(p[0]));
        List<Integer> bounds = new ArrayList<>(List.of(Aedat4Reader.VERSION_LINE.length(), header));
        for (int s : ends(starts, 3, 1)) {
            int size = i32(all, s + 4);
            bounds.addAll(s < all.length / 2 ? List.of(s, s + 4, s + 8, s + 8 + 7, s + 8 + 40, s + 8 + size / 2, s + 8 + size - 12)
                    : List.of(s, s + 4, s + 8 + size / 2));
        }
        if (dataTable > 0) {
            bounds.add(dataTable);
        }
        int total = counts.stream().mapToInt(c -> Math.max(c, 0)).sum();
        checkCuts(name, all, offsets(all.length, bounds, 12, all.length > 500_000 ? 6 : 15, 4), cut -> {
            if (cut < header) {
                return Expect.exact(0, true, null);
            }
            if (dataTable > 0 && cut >= dataTable) {
                return Expect.whole(total);
            }
            int events = 0;
            for (int i = 0; i < packets.size(); i++) {
                int start = packets.get(i)[0];
                int size = packets.get(i)[2];
                int n = counts.get(i);
                if (cut >= start + 8 + size) {
                    events += Math.max(n, 0);
                } else if (cut == start) {
                    // between packets: seen only where the header promised a data table further on
                    return dataTable > 0 ? Expect.exact(events, true, null) : Expect.whole(events);
                } else if (cut < start + 8) {
                    return Expect.exact(events, true, null);
                } else if (n < 0) {
                    return Expect.exact(events, true, 0L);
                } else if (plainLayout) {
                    int bytes = cut - start - 8;
                    if (bytes < 32) {
                        return Expect.exact(events, true, null);
                    }
                    int k = Math.min(n, (bytes - 32) / 16);
                    return Expect.exact(events + k, true, (long) (n - k));
                } else {
                    return new Expect(events, events + n, true, ANY_LOST, n);
                }
            }
            return Expect.whole(events);
        });
        if (name.startsWith("LZ4")) {
            // one byte short of a frame leaves every block whole: the packet's events are all kept
            int[] last = packets.get(packets.size() - 1);
            Path f = dir.resolve("end.aedat4");
            Files.write(f, java.util.Arrays.copyOf(all, last[0] + 8 + last[2] - 1));
            try (EventReader r = Recordings.open(f)) {
                EventBatch b = TestEvents.readAll(r, 100_000);
                assertEquals(total, b.size(), r.truncation().toString());
                assertEquals(0L, r.truncation().orElseThrow().eventsLost());
            }
        }
    }

    @Test
    void aCutLz4BlockKeepsTheEventsOfItsCompleteSequences() throws IOException {
        // real DV packets are one LZ4 block each: cut in the middle, its first half is still decoded
        byte[] all = Files.readAllBytes(SharedData.real("dvxplorer_sample.aedat4"));
        int[] first = aedat4Packets(all).get(0);
        assertEquals(0, first[1], "the first packet holds events");
        int n = lz4EventCount(all, first[0] + 8, first[2]);
        Path f = dir.resolve("half.aedat4");
        Files.write(f, java.util.Arrays.copyOf(all, first[0] + 8 + first[2] / 2));
        try (EventReader r = Recordings.open(f)) {
            EventBatch b = TestEvents.readAll(r, 10_000);
            Truncation t = r.truncation().orElseThrow();
            assertTrue(b.size() > n / 4 && b.size() < n, b.size() + " of " + n + " events kept");
            assertEquals(n - b.size(), t.eventsLost());
            assertTrue(t.reason().contains("complete events of its " + n), t.reason());
        }
    }

    // ---------------------------------------------------------------- EVT 2.0 / EVT 3.0

    @Test
    void evt2WriterOutput() throws IOException {
        SensorGeometry g = new SensorGeometry(640, 480);
        checkEvt2("w.raw", written("w.raw", g, TestEvents.random(5, 5_000, 1_000, 200, g), 5_000), 20);
    }

    @Test
    void evt2RealGen3Recording() throws IOException {
        checkEvt2("gen3.raw", Files.readAllBytes(SharedData.real("prophesee_gen3_evt2_sample.raw")), 3);
    }

    private void checkEvt2(String name, byte[] all, int random) throws IOException {
        int header = textHeaderEnd(all, '%');
        int words = (all.length - header) / 4;
        int[] eventsBefore = new int[words + 1];
        for (int i = 0; i < words; i++) {
            eventsBefore[i + 1] = eventsBefore[i] + ((i32(all, header + 4 * i) >>> 28) <= 1 ? 1 : 0);
        }
        List<Integer> bounds = new ArrayList<>(lineStarts(all, header));
        for (int w : spread(words)) {
            bounds.add(header + 4 * w);
            bounds.add(header + 4 * w + 2);
        }
        int encoding = encodingLineEnd(all); // before it the format cannot be told
        checkCuts(name, all, offsets(all.length, bounds, encoding, random, 5), cut -> {
            if (cut < header) {
                return headerCut(all, cut);
            }
            int rest = (cut - header) % 4;
            return Expect.exact(eventsBefore[(cut - header) / 4], rest != 0, null);
        });
    }

    /** The end of the {@code % evt} line, which names the encoding. */
    private static int encodingLineEnd(byte[] all) {
        int at = indexOf(all, "% evt ");
        while (all[at] != '\n') {
            at++;
        }
        return at + 1;
    }

    @Test
    void evt3RealGen41Recording() throws IOException {
        byte[] all = Files.readAllBytes(SharedData.real("prophesee_gen41_evt3_sample.raw"));
        int header = textHeaderEnd(all, '%');
        int words = (all.length - header) / 2;
        int[] eventsBefore = new int[words + 1];
        for (int i = 0; i < words; i++) {
            int w = ByteBuffer.wrap(all, header + 2 * i, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            int events = switch (w >>> 12) {
                case 0x2 -> 1; // ADDR_X
                case 0x4 -> Integer.bitCount(w & 0xFFF); // VECT_12
                case 0x5 -> Integer.bitCount(w & 0xFF); // VECT_8
                default -> 0;
            };
            eventsBefore[i + 1] = eventsBefore[i] + events;
        }
        List<Integer> bounds = new ArrayList<>(lineStarts(all, header));
        for (int w : spread(words)) {
            bounds.add(header + 2 * w);
        }
        checkCuts("gen41.raw", all, offsets(all.length, bounds, encodingLineEnd(all), 4, 6), cut -> {
            if (cut < header) {
                return headerCut(all, cut);
            }
            return Expect.exact(eventsBefore[(cut - header) / 2], (cut - header) % 2 != 0, null);
        });
    }

    // ---------------------------------------------------------------- N-MNIST, CSV

    @Test
    void nmnistWriterOutputWithOverflowMarkers() throws IOException {
        SensorGeometry g = new SensorGeometry(34, 34);
        // 3,000 gaps of up to 8 ms reach past the 23-bit timestamp: the writer adds overflow markers
        byte[] all = written("w.bin", g, TestEvents.random(7, 3_000, 0, 8_000, g), 3_000);
        boolean markers = false;
        for (int i = 1; i < all.length; i += 5) {
            markers |= (all[i] & 0xFF) == 240;
        }
        assertTrue(markers, "the file holds overflow markers");
        checkNmnist("w.bin", all);
    }

    @Test
    void nmnistRealSample() throws IOException {
        checkNmnist("real.bin", Files.readAllBytes(SharedData.real("nmnist_sample.bin")));
    }

    private void checkNmnist(String name, byte[] all) throws IOException {
        int records = all.length / 5;
        int[] eventsBefore = new int[records + 1];
        for (int i = 0; i < records; i++) {
            eventsBefore[i + 1] = eventsBefore[i] + ((all[5 * i + 1] & 0xFF) == 240 ? 0 : 1);
        }
        List<Integer> bounds = new ArrayList<>();
        for (int i : spread(records)) {
            bounds.add(5 * i);
            bounds.add(5 * i + 2);
        }
        for (int i = 0; i < records; i++) {
            if ((all[5 * i + 1] & 0xFF) == 240) {
                bounds.add(5 * i + 3); // inside an overflow marker
                break;
            }
        }
        checkCuts(name, all, offsets(all.length, bounds, 1, 15, 7), cut -> {
            int rest = cut % 5;
            Long lost = rest < 2 ? null : (all[cut - rest + 1] & 0xFF) == 240 ? 0L : 1L;
            return Expect.exact(eventsBefore[cut / 5], rest != 0, lost);
        });
    }

    @Test
    void csvWriterOutput() throws IOException {
        SensorGeometry g = new SensorGeometry(200, 100);
        byte[] all = written("w.csv", g, TestEvents.random(8, 2_000, 1_000_000, 50, g), 2_000);
        int header = CsvEventReader.HEADER.length() + 1;
        List<Integer> bounds = new ArrayList<>(List.of(header - 1, header));
        for (int i = header; i < all.length; i += all.length / 5) {
            while (all[i - 1] != '\n') {
                i++;
            }
            bounds.add(i);
        }
        checkCuts("w.csv", all, offsets(all.length, bounds, CsvEventReader.HEADER.length(), 20, 8), cut -> {
            int lines = 0;
            for (int i = header; i < cut; i++) {
                lines += all[i] == '\n' ? 1 : 0;
            }
            boolean atLineStart = cut <= header || all[cut - 1] == '\n';
            if (atLineStart) {
                return Expect.whole(lines);
            }
            if (cut < all.length && all[cut] == '\n') {
                return Expect.whole(lines + 1); // a last line without its newline is complete
            }
            return Expect.exact(lines, true, 1L);
        });
    }

    // ---------------------------------------------------------------- what stays an error

    @Test
    void corruptionBeforeTheEndStaysAnErrorWhateverTheCut() throws IOException {
        SensorGeometry g = new SensorGeometry(346, 260);
        byte[] all = written("c.aedat4", g, TestEvents.random(9, 3_000, 0, 30, g), 1_000);
        List<int[]> packets = aedat4Packets(all);
        int[] second = packets.get(1);
        // damage the first packet's LZ4 data, then cut inside the second: still an error
        byte[] bad = all.clone();
        java.util.Arrays.fill(bad, packets.get(0)[0] + 8 + 7, packets.get(0)[0] + 8 + 60, (byte) 0x5A);
        Path f = dir.resolve("bad.aedat4");
        Files.write(f, java.util.Arrays.copyOf(bad, second[0] + 8 + second[2] / 2));
        RecordingFormatException e = assertThrows(RecordingFormatException.class, () -> {
            try (EventReader r = Recordings.open(f)) {
                TestEvents.readAll(r, 1000);
            }
        });
        assertTrue(e.getMessage().contains("corrupt LZ4"), e.getMessage());
        // an impossible AEDAT 3.1 packet header before the cut
        byte[] header = SyntheticFiles.AEDAT31_HEADER.getBytes(StandardCharsets.US_ASCII);
        Path a31 = dir.resolve("bad.aedat");
        Files.write(a31, SyntheticFiles.concat(header, SyntheticFiles.aedat31PacketHeader(1, -8, 4, 0, 1, 1, 1), new byte[5]));
        assertTrue(assertThrows(RecordingFormatException.class, () -> {
            try (EventReader r = Recordings.open(a31)) {
                TestEvents.readAll(r, 1000);
            }
        }).getMessage().contains("impossible event size"));
    }

    @Test
    void aFileCutBeforeItsFormatCanBeToldIsStillUnknown() throws IOException {
        Path f = dir.resolve("x.aedat4");
        Files.write(f, "#!AER-DAT".getBytes(StandardCharsets.US_ASCII));
        assertThrows(RecordingFormatException.class, () -> Recordings.open(f));
    }
}
