package io.spikestream.connectors.recording;

import com.github.luben.zstd.ZstdInputStream;
import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * AEDAT 4.0 (iniVation DV): the line {@code #!AER-DAT4.0\r\n}, an int32 size and an IOHeader
 * FlatBuffer (compression, data-table position, infoNode XML with the stream list), then packets
 * of int32 stream id, int32 size and that many bytes, compressed as the header says (none, LZ4
 * frame, ZSTD). The packets of the stream whose type identifier is {@code EVTS} decompress to a
 * size-prefixed FlatBuffer EventPacket whose vector of 16-byte Event structs (int64 t µs, int16 x,
 * int16 y, bool on, 3 pad) is decoded; packets of other streams (IMU, triggers, frames) are
 * skipped unread. Reading stops at the data table (the index at the end of the file).
 *
 * <p>DV already uses origin top-left, x right, y down, so coordinates are kept; polarity 1 = ON.
 * The sensor size is the EVTS stream's {@code sizeX}/{@code sizeY}. Events outside it are skipped
 * and counted. Packet sizes above {@link #MAX_PACKET_BYTES} (compressed or not) are rejected
 * rather than allocated.
 *
 * <p>A file cut short ends the stream with a {@link Truncation}. From a cut event packet the
 * reader keeps the complete events of what decompresses cleanly (complete LZ4 sequences, complete
 * ZSTD blocks, the raw bytes) and the report says how many of the packet's events that was; a cut
 * between packets shows only when the header names a data table further on.
 */
public final class Aedat4Reader extends AbstractEventReader {
    static final String VERSION_LINE = "#!AER-DAT4.0\r\n";
    /** Far above DV's packets (a few hundred KiB); bounds what a hostile size field can allocate. */
    static final int MAX_PACKET_BYTES = 64 << 20;
    static final int MAX_IO_HEADER_BYTES = 16 << 20;
    static final int EVENT_BYTES = 16;

    enum Compression {
        NONE, LZ4, LZ4_HIGH, ZSTD, ZSTD_HIGH;
    }

    /** What a file cut inside its header is taken for: it holds no event either way. */
    static final SensorGeometry ASSUMED_GEOMETRY = KnownSensors.DVXPLORER;

    private Compression compression = Compression.NONE;
    private long dataTablePosition = -1;
    private int eventsStream = -1;
    private byte[] packed = new byte[1 << 16];
    private byte[] packet = new byte[1 << 16];
    private final int[] lengthOut = new int[1];
    private long packetOffset;
    /** Position and count of the current packet's events not yet returned. */
    private int pendingPos;
    private int pendingCount;
    private boolean done;

    public Aedat4Reader(Path file) throws IOException {
        this(file, Files.newInputStream(file));
    }

    /** Reads from any stream (e.g. memory); {@code name} appears in error messages. */
    public Aedat4Reader(Path name, InputStream stream) throws IOException {
        super(new ChunkedInput(name, stream));
        try {
            readHeader();
        } catch (TruncatedInput e) {
            // cut inside the header: no event follows, and the sensor size was not reached
            truncation = new Truncation(name, e.offset(), null, e.problem() + " (sensor size unknown: "
                    + ASSUMED_GEOMETRY + " assumed)");
            geometry = ASSUMED_GEOMETRY;
            done = true;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private void readHeader() throws IOException {
        byte[] version = new byte[VERSION_LINE.length()];
        int got = in.readUpTo(version, 0, version.length);
        String v = new String(version, 0, got, StandardCharsets.ISO_8859_1);
        if (got == 0 || !VERSION_LINE.startsWith(v)) {
            throw in.error(0, "wrong magic: not '#!AER-DAT4.0'");
        }
        if (got < version.length) {
            throw in.truncated(0, ChunkedInput.truncatedMessage("AEDAT 4.0 version line", version.length, got));
        }
        in.require(4, "IOHeader size");
        int size = LittleEndian.i32(in.buf, in.pos);
        if (size < 8 || size > MAX_IO_HEADER_BYTES) {
            throw in.error(in.offset(), "impossible IOHeader size " + size);
        }
        in.pos += 4;
        long headerAt = in.offset();
        byte[] h = new byte[size];
        in.readFully(h, 0, size, "IOHeader");
        String xml;
        try {
            FlatTable t = FlatTable.root(h, 0, size);
            compression = compression(t.int32(0, 0), headerAt);
            dataTablePosition = t.int64(1, -1);
            xml = t.string(2);
        } catch (FlatTable.Corrupt e) {
            throw in.error(headerAt + e.position, "corrupt IOHeader: " + e.getMessage());
        }
        if (xml == null) {
            throw in.error(headerAt, "IOHeader has no infoNode (stream list)");
        }
        Aedat4Streams.Stream events;
        try {
            events = Aedat4Streams.parse(xml).events().orElseThrow(
                    () -> in.error(headerAt, "no EVTS (polarity events) stream in the IOHeader's stream list"));
            geometry = events.geometry().orElseThrow(
                    () -> in.error(headerAt, "EVTS stream " + events.id() + " has no sizeX/sizeY"));
        } catch (IllegalArgumentException e) {
            throw in.error(headerAt, "impossible stream description in the IOHeader: " + e.getMessage());
        }
        eventsStream = events.id();
    }

    private Compression compression(int code, long at) throws RecordingFormatException {
        if (code < 0 || code >= Compression.values().length) {
            throw in.error(at, "unknown compression type " + code);
        }
        return Compression.values()[code];
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.AEDAT4;
    }

    @Override
    public boolean read(EventBatch batch, int maxEvents) throws IOException {
        maxEvents = checkMax(maxEvents);
        batch.clear();
        batch.ensureCapacity(maxEvents);
        int n = 0;
        while (n < maxEvents) {
            if (pendingCount == 0 && !nextEventPacket()) {
                break;
            }
            n = drain(batch, n, maxEvents);
        }
        batch.setSize(n);
        return n > 0;
    }

    private int drain(EventBatch batch, int n, int maxEvents) {
        long[] ts = batch.ts();
        short[] xs = batch.xs();
        short[] ys = batch.ys();
        byte[] ps = batch.ps();
        int width = geometry.width();
        int height = geometry.height();
        byte[] b = packet;
        int p = pendingPos;
        int take = Math.min(pendingCount, maxEvents - n);
        int end = p + take * EVENT_BYTES;
        for (; p < end; p += EVENT_BYTES) {
            int x = (short) LittleEndian.I16.get(b, p + 8);
            int y = (short) LittleEndian.I16.get(b, p + 10);
            if (x < 0 || y < 0 || x >= width || y >= height) {
                skipped++;
                continue;
            }
            ts[n] = (long) LittleEndian.I64.get(b, p);
            xs[n] = (short) x;
            ys[n] = (short) y;
            ps[n] = (byte) (b[p + 12] != 0 ? 1 : 0);
            n++;
        }
        pendingPos = p;
        pendingCount -= take;
        return n;
    }

    /** Reads packets until one of the events stream with at least one event; false at the end. */
    private boolean nextEventPacket() throws IOException {
        while (!done) {
            if (dataTablePosition >= 0 && in.offset() >= dataTablePosition) {
                done = true;
                break;
            }
            if (in.atEnd()) {
                done = true;
                if (dataTablePosition >= 0) {
                    // a cut between packets shows only because the header promised more
                    truncation = new Truncation(in.file, in.offset(), null, "truncated file: it ends before the data table"
                            + " that the IOHeader places at byte " + dataTablePosition);
                }
                break;
            }
            packetOffset = in.offset();
            try {
                in.require(8, "packet header");
            } catch (TruncatedInput e) {
                truncation = e.truncation();
                done = true;
                break;
            }
            int stream = LittleEndian.i32(in.buf, in.pos);
            int size = LittleEndian.i32(in.buf, in.pos + 4);
            if (size < 0 || size > MAX_PACKET_BYTES) {
                throw in.error(packetOffset, "impossible packet size " + size + " (stream " + stream + ")");
            }
            in.pos += 8;
            if (stream != eventsStream) {
                try {
                    in.skip(size, "packet of stream " + stream);
                } catch (TruncatedInput e) {
                    truncation = e.truncation(0L); // no polarity event in it
                    done = true;
                    break;
                }
                continue;
            }
            if (packed.length < size) {
                packed = new byte[Math.max(size, packed.length * 2)];
            }
            int got = in.readUpTo(packed, 0, size);
            if (got < size) {
                done = true;
                recoverCutPacket(size, got);
                return pendingCount > 0;
            }
            int length = decompress(size);
            parseEventPacket(length);
            if (pendingCount > 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * The last event packet is cut after {@code got} of its {@code size} bytes: keeps the complete
     * events of what decompresses cleanly (whole LZ4 sequences and literals, whole ZSTD blocks, or
     * the raw bytes) and records the truncation, saying how many events were kept and lost.
     */
    private void recoverCutPacket(int size, int got) throws IOException {
        long at = packetOffset + 8;
        int plain;
        try {
            switch (compression) {
                case NONE -> {
                    if (packet.length < got) {
                        packet = new byte[got];
                    }
                    System.arraycopy(packed, 0, packet, 0, got);
                    plain = got;
                }
                case LZ4, LZ4_HIGH -> {
                    byte[][] out = {packet};
                    plain = Lz4Frames.decompressPrefix(packed, got, out, MAX_PACKET_BYTES);
                    packet = out[0];
                }
                default -> plain = zstdPrefix(got);
            }
        } catch (IOException | RuntimeException e) {
            // damage before the cut is corruption, not truncation
            throw in.error(packetOffset, "corrupt " + compression + " packet: " + e.getMessage());
        }
        String head = ChunkedInput.truncatedMessage("event packet", size, got) + "; ";
        String what = compression == Compression.NONE ? "its " + plain + " bytes"
                : "the " + plain + " bytes that its complete " + (compression == Compression.ZSTD
                        || compression == Compression.ZSTD_HIGH ? "ZSTD blocks" : "LZ4 sequences") + " decompress to";
        int announced = -1;
        int first = 0;
        if (plain >= 12) {
            long prefixed = LittleEndian.i32(packet, 0) & 0xFFFFFFFFL;
            int end = (int) Math.min(plain, 4 + prefixed);
            String id = FlatTable.identifier(packet, 4);
            if (!id.equals("EVTS")) {
                throw in.error(at, "corrupt EVTS packet (decompressed byte 8): packet identifier '" + id + "' is not EVTS");
            }
            try {
                first = FlatTable.root(packet, 4, end).vectorStart(0, lengthOut);
                announced = first < 0 ? 0 : lengthOut[0];
            } catch (FlatTable.Corrupt e) {
                announced = -1; // the table or the vector's length lies beyond the cut
            }
        }
        if (announced < 0) {
            truncation = new Truncation(in.file, at, null, head + what + " end before its event count: nothing kept");
            return;
        }
        int complete = first < 0 ? 0 : Math.min(announced, Math.max(0, (plain - first) / EVENT_BYTES));
        pendingPos = Math.max(first, 0);
        pendingCount = complete;
        truncation = new Truncation(in.file, at, (long) announced - complete, head + what + " hold " + complete
                + " complete events of its " + announced + (complete > 0 ? ", kept" : ": nothing kept"));
    }

    private int decompress(int size) throws IOException {
        try {
            switch (compression) {
                case NONE -> {
                    if (packet.length < size) {
                        packet = new byte[Math.max(size, packet.length * 2)];
                    }
                    System.arraycopy(packed, 0, packet, 0, size);
                    return size;
                }
                case LZ4, LZ4_HIGH -> {
                    byte[][] out = {packet};
                    int n = Lz4Frames.decompress(packed, size, out, MAX_PACKET_BYTES);
                    packet = out[0];
                    return n;
                }
                default -> {
                    return zstd(size);
                }
            }
        } catch (RecordingFormatException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw in.error(packetOffset, "corrupt " + compression + " packet: " + e.getMessage());
        }
    }

    private int zstd(int size) throws IOException {
        try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(packed, 0, size))) {
            return readAll(z, 0);
        }
    }

    /** Decompresses into {@link #packet} from {@code len} on until the stream ends; the new length. */
    private int readAll(InputStream z, int len) throws IOException {
        while (true) {
            if (len == packet.length) {
                if (packet.length >= MAX_PACKET_BYTES) {
                    throw new IOException("decompresses to more than " + MAX_PACKET_BYTES + " bytes");
                }
                packet = Arrays.copyOf(packet, Math.min(MAX_PACKET_BYTES, packet.length * 2));
            }
            int r = z.read(packet, len, packet.length - len);
            if (r < 0) {
                return len;
            }
            len += r;
            zstdOut = len;
        }
    }

    /** Bytes decompressed so far by {@link #readAll}, kept when the stream then fails. */
    private int zstdOut;

    /** The bytes that the complete blocks of a cut ZSTD frame decompress to. */
    private int zstdPrefix(int got) throws IOException {
        zstdOut = 0;
        try (InputStream z = new ZstdInputStream(new ByteArrayInputStream(packed, 0, got))) {
            return readAll(z, 0);
        } catch (IOException e) {
            // zstd-jni says "truncated source" when the frame stops early; anything else is damage
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("truncated")) {
                return zstdOut;
            }
            throw e;
        }
    }

    private void parseEventPacket(int length) throws RecordingFormatException {
        try {
            if (length < 4) {
                throw new FlatTable.Corrupt(0, "event packet of " + length + " bytes");
            }
            long prefixed = LittleEndian.i32(packet, 0) & 0xFFFFFFFFL;
            if (prefixed > length - 4) {
                throw new FlatTable.Corrupt(0, "size prefix " + prefixed + " exceeds the packet's " + (length - 4) + " bytes");
            }
            int end = 4 + (int) prefixed;
            FlatTable t = FlatTable.root(packet, 4, end);
            String id = FlatTable.identifier(packet, 4);
            if (!id.equals("EVTS")) {
                throw new FlatTable.Corrupt(8, "packet identifier '" + id + "' is not EVTS");
            }
            int first = t.vector(0, EVENT_BYTES, lengthOut);
            pendingPos = Math.max(first, 0);
            pendingCount = lengthOut[0];
        } catch (FlatTable.Corrupt e) {
            throw in.error(packetOffset + 8, "corrupt EVTS packet (decompressed byte " + e.position + "): " + e.getMessage());
        }
    }
}
