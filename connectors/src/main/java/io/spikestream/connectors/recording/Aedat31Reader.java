package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AEDAT 3.1 (cAER, DVS128 Gesture): {@code #} header lines from {@code #!AER-DAT3.1} to
 * {@code #!END-HEADER}, then typed packets, little-endian: a 28-byte header (int16 type, int16
 * source, int32 eventSize, eventTSOffset, eventTSOverflow, eventCapacity, eventNumber,
 * eventValid) followed by eventCapacity × eventSize bytes.
 *
 * <p>Only polarity packets (type 1, 8-byte events: uint32 data, int32 timestamp) are decoded;
 * other packet types are skipped unread. In {@code data}, bit 0 is the valid mark (events with 0
 * are skipped and counted in {@link #skipped()}), bit 1 the polarity (1 = ON), bits 2..16 y and
 * bits 17..31 x. AEDAT 3.1 already puts the origin top-left with y down, so x and y are kept.
 * Time = (eventTSOverflow << 31) | timestamp, a 64-bit µs clock. Geometry comes from the
 * {@code #Source} line (else a re-logged file's {@code #-Source} line): a known device name
 * (DVS128, DAVIS240/346, DVXplorer) or
 * {@code sizeX=W sizeY=H} as spikestream's writer puts it.
 */
public final class Aedat31Reader extends AbstractEventReader {
    static final String VERSION_LINE = "#!AER-DAT3.1";
    static final String END_LINE = "#!END-HEADER";
    static final int PACKET_HEADER_BYTES = 28;
    static final int POLARITY_EVENT = 1;
    static final int POLARITY_EVENT_BYTES = 8;
    /** Larger event structs exist (frames are stored as one event each) but not beyond this. */
    static final int MAX_EVENT_SIZE = 1 << 26;
    private static final Pattern SIZE = Pattern.compile("sizeX\\W*(\\d+)\\W+sizeY\\W*(\\d+)");

    private int pending;
    private long overflowBase;

    public Aedat31Reader(Path file) throws IOException {
        this(file, Files.newInputStream(file));
    }

    /** Reads from any stream (e.g. memory); {@code name} appears in error messages. */
    public Aedat31Reader(Path name, InputStream stream) throws IOException {
        super(new ChunkedInput(name, stream));
        try {
            TextHeader h = TextHeader.read(in, (byte) '#', END_LINE);
            if (!h.first().equals(VERSION_LINE) && !(h.lines().isEmpty() && cutMagic(h, VERSION_LINE))) {
                throw in.error(0, "wrong magic: not '" + VERSION_LINE + "'");
            }
            if (h.lines().isEmpty() || !h.lines().get(h.lines().size() - 1).equals(END_LINE)) {
                if (h.partial() == null && !in.atEnd()) {
                    throw in.error(h.bytes(), "AEDAT 3.1 header without " + END_LINE);
                }
                // the file ends inside the header: no event follows; keep what the header said
                Optional<SensorGeometry> g = geometry(h);
                String assumed = g.isPresent() ? null : "no #Source line yet: DVS128 assumed";
                truncation = h.partial() != null ? headerCut(h, assumed) : new Truncation(name, h.bytes(), null,
                        "truncated header: the file ends before " + END_LINE + (assumed == null ? "" : " (" + assumed + ")"));
                geometry = g.orElse(KnownSensors.DVS128);
                return;
            }
            geometry = geometry(h).orElseThrow(() -> in.error(0,
                    "AEDAT 3.1 header names no known source device (#Source N: DVS128|DAVIS240|DAVIS346|...)"));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    static Optional<SensorGeometry> geometry(TextHeader h) {
        Optional<SensorGeometry> g = geometry(h, "#Source ");
        // a re-logged file keeps its original sources as '#-Source' lines
        return g.isPresent() ? g : geometry(h, "#-Source ");
    }

    private static Optional<SensorGeometry> geometry(TextHeader h, String prefix) {
        for (String line : h.lines()) {
            if (line.startsWith(prefix)) {
                Matcher m = SIZE.matcher(line);
                if (m.find()) {
                    try {
                        return Optional.of(new SensorGeometry(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                    } catch (IllegalArgumentException e) {
                        return Optional.empty();
                    }
                }
                Optional<SensorGeometry> g = KnownSensors.inivation(line);
                if (g.isPresent()) {
                    return g;
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.AEDAT31;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        batch.ensureCapacity(maxEvents);
        final long[] ts = batch.ts();
        final short[] xs = batch.xs();
        final short[] ys = batch.ys();
        final byte[] ps = batch.ps();
        final int width = geometry.width();
        final int height = geometry.height();
        int n = 0;
        long skip = 0;
        while (n < maxEvents && !cut()) {
            if (pending == 0 && !nextPolarityPacket()) {
                break;
            }
            int avail = in.available();
            if (avail < POLARITY_EVENT_BYTES) {
                avail = in.fill(POLARITY_EVENT_BYTES);
                if (avail < POLARITY_EVENT_BYTES) {
                    truncation = new Truncation(in.file, in.offset(), (long) pending,
                            "truncated polarity packet: " + pending + " events missing");
                    break;
                }
            }
            final byte[] b = in.buf;
            int p = in.pos;
            int take = Math.min(Math.min(avail / POLARITY_EVENT_BYTES, pending), maxEvents - n);
            final int end = p + take * POLARITY_EVENT_BYTES;
            final long base = overflowBase;
            for (; p < end; p += POLARITY_EVENT_BYTES) {
                long word = (long) LittleEndian.I64.get(b, p);
                int data = (int) word;
                int x = data >>> 17;
                int y = (data >>> 2) & 0x7FFF;
                // invalid mark and out-of-sensor coordinates skip alike (one predictable branch)
                if ((data & 1) == 0 | x >= width | y >= height) {
                    skip++;
                    continue;
                }
                ts[n] = base | ((word >>> 32) & 0x7FFFFFFFL);
                xs[n] = (short) x;
                ys[n] = (short) y;
                ps[n] = (byte) ((data >>> 1) & 1);
                n++;
            }
            in.pos = p;
            pending -= take;
        }
        skipped += skip;
        batch.setSize(n);
        return n > 0;
    }

    /** Reads packet headers, skipping other types, until a polarity packet with events; false at the end. */
    private boolean nextPolarityPacket() throws IOException {
        while (true) {
            if (in.atEnd()) {
                return false;
            }
            long at = in.offset();
            try {
                in.require(PACKET_HEADER_BYTES, "packet header");
            } catch (TruncatedInput e) {
                truncation = e.truncation(); // its event count may be cut off: unknown loss
                return false;
            }
            byte[] b = in.buf;
            int p = in.pos;
            int type = (short) LittleEndian.I16.get(b, p);
            int size = LittleEndian.i32(b, p + 4);
            int tsOffset = LittleEndian.i32(b, p + 8);
            int overflow = LittleEndian.i32(b, p + 12);
            int capacity = LittleEndian.i32(b, p + 16);
            int number = LittleEndian.i32(b, p + 20);
            int valid = LittleEndian.i32(b, p + 24);
            if (type < 0) {
                throw in.error(at, "corrupt packet header: negative event type " + type);
            }
            if (size <= 0 || size > MAX_EVENT_SIZE) {
                throw in.error(at, "corrupt packet header: impossible event size " + size);
            }
            if (capacity < 0 || number < 0 || number > capacity || valid < 0 || valid > number) {
                throw in.error(at, "corrupt packet header: capacity " + capacity + ", number " + number
                        + ", valid " + valid + " are inconsistent");
            }
            if (tsOffset < 0 || tsOffset > size - 4) {
                throw in.error(at, "corrupt packet header: timestamp offset " + tsOffset + " outside an event of " + size + " bytes");
            }
            if (overflow < 0) {
                throw in.error(at, "corrupt packet header: negative timestamp overflow " + overflow);
            }
            in.pos += PACKET_HEADER_BYTES;
            long bytes = (long) capacity * size;
            if (type != POLARITY_EVENT) {
                try {
                    in.skip(bytes, "packet of event type " + type);
                } catch (TruncatedInput e) {
                    truncation = e.truncation(0L); // no polarity event in it
                    return false;
                }
                continue;
            }
            if (size != POLARITY_EVENT_BYTES || tsOffset != 4) {
                throw in.error(at, "corrupt polarity packet header: event size " + size + ", timestamp offset " + tsOffset
                        + " (expected 8 and 4)");
            }
            if (capacity == 0) {
                continue;
            }
            pending = capacity;
            overflowBase = (long) overflow << 31;
            return true;
        }
    }
}
