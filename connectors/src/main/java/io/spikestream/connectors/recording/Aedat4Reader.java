package io.spikestream.connectors.recording;

import com.github.luben.zstd.ZstdInputStream;
import io.spikestream.connectors.event.EventBatch;
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

    private final Compression compression;
    private final long dataTablePosition;
    private final int eventsStream;
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
            byte[] version = new byte[VERSION_LINE.length()];
            in.readFully(version, 0, version.length, "AEDAT 4.0 version line");
            if (!new String(version, StandardCharsets.ISO_8859_1).equals(VERSION_LINE)) {
                throw in.error(0, "wrong magic: not '#!AER-DAT4.0'");
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
            FlatTable t;
            String xml;
            try {
                t = FlatTable.root(h, 0, size);
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
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
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
                break;
            }
            packetOffset = in.offset();
            in.require(8, "packet header");
            int stream = LittleEndian.i32(in.buf, in.pos);
            int size = LittleEndian.i32(in.buf, in.pos + 4);
            if (size < 0 || size > MAX_PACKET_BYTES) {
                throw in.error(packetOffset, "impossible packet size " + size + " (stream " + stream + ")");
            }
            in.pos += 8;
            if (stream != eventsStream) {
                in.skip(size, "packet of stream " + stream);
                continue;
            }
            if (packed.length < size) {
                packed = new byte[Math.max(size, packed.length * 2)];
            }
            in.readFully(packed, 0, size, "event packet");
            int length = decompress(size);
            parseEventPacket(length);
            if (pendingCount > 0) {
                return true;
            }
        }
        return false;
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
            int len = 0;
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
            }
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
