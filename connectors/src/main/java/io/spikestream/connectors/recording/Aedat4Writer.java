package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * Writes AEDAT 4.0 with LZ4-compressed packets ({@link Aedat4Reader} documents the layout): the
 * version line, an IOHeader FlatBuffer (compression LZ4, no data table, an infoNode declaring
 * stream 0 as EVTS with the sensor size), then one packet of at most {@link #MAX_PACKET_EVENTS}
 * events per chunk of each batch: each an LZ4 frame of a size-prefixed EventPacket FlatBuffer
 * built by hand.
 */
public final class Aedat4Writer extends AbstractEventWriter {
    static final int MAX_PACKET_EVENTS = 1 << 14;
    /** Size prefix, root offset, identifier, vtable (6 bytes + 2 pad), table (8), vector length. */
    private static final int EVENTS_AT = 32;

    private final ByteArrayOutputStream compressed = new ByteArrayOutputStream(1 << 16);
    private byte[] packet = new byte[EVENTS_AT + MAX_PACKET_EVENTS * Aedat4Reader.EVENT_BYTES];

    public Aedat4Writer(Path file, OutputStream out, SensorGeometry geometry) throws IOException {
        super(file, out, geometry);
        put(Aedat4Reader.VERSION_LINE.getBytes(StandardCharsets.US_ASCII));
        byte[] header = ioHeader(infoNode(geometry), Aedat4Reader.Compression.LZ4);
        ensure(4 + header.length);
        LittleEndian.putI32(buf, len, header.length);
        len += 4;
        put(header);
    }

    @Override
    public RecordingFormat format() {
        return RecordingFormat.AEDAT4;
    }

    static String infoNode(SensorGeometry g) {
        String p = "/mainloop/Recorder/outInfo/";
        return "<dv version=\"2.0\">\n"
                + "    <node name=\"outInfo\" path=\"" + p + "\">\n"
                + "        <node name=\"0\" path=\"" + p + "0/\">\n"
                + "            <attr key=\"compression\" type=\"string\">LZ4</attr>\n"
                + "            <attr key=\"originalModuleName\" type=\"string\">spikestream</attr>\n"
                + "            <attr key=\"originalOutputName\" type=\"string\">events</attr>\n"
                + "            <attr key=\"typeIdentifier\" type=\"string\">EVTS</attr>\n"
                + "            <node name=\"info\" path=\"" + p + "0/info/\">\n"
                + "                <attr key=\"sizeX\" type=\"int\">" + g.width() + "</attr>\n"
                + "                <attr key=\"sizeY\" type=\"int\">" + g.height() + "</attr>\n"
                + "                <attr key=\"source\" type=\"string\">spikestream</attr>\n"
                + "            </node>\n"
                + "        </node>\n"
                + "    </node>\n"
                + "</dv>\n";
    }

    /**
     * The IOHeader table {compression: int32, dataTablePosition: int64 = -1 (no table), infoNode:
     * string} with identifier IOHE: root offset, identifier, vtable at 8, table at 24 (8-aligned
     * for the int64), string at 44.
     */
    static byte[] ioHeader(String xml, Aedat4Reader.Compression compression) {
        byte[] s = xml.getBytes(StandardCharsets.UTF_8);
        int stringAt = 44;
        int total = (stringAt + 4 + s.length + 1 + 3) & ~3;
        byte[] b = new byte[total];
        LittleEndian.putI32(b, 0, 24);
        System.arraycopy("IOHE".getBytes(StandardCharsets.US_ASCII), 0, b, 4, 4);
        LittleEndian.putI16(b, 8, 10); // vtable length: 4 + 3 fields
        LittleEndian.putI16(b, 10, 20); // table length
        LittleEndian.putI16(b, 12, 4); // compression
        LittleEndian.putI16(b, 14, 8); // dataTablePosition
        LittleEndian.putI16(b, 16, 16); // infoNode
        LittleEndian.putI32(b, 24, 24 - 8);
        LittleEndian.putI32(b, 28, compression.ordinal());
        LittleEndian.putI64(b, 32, -1L);
        LittleEndian.putI32(b, 40, stringAt - 40);
        LittleEndian.putI32(b, stringAt, s.length);
        System.arraycopy(s, 0, b, stringAt + 4, s.length);
        return b;
    }

    @Override
    public void write(EventBatch b) throws IOException {
        int n = b.size();
        for (int from = 0; from < n; from += MAX_PACKET_EVENTS) {
            packet(b, from, Math.min(n, from + MAX_PACKET_EVENTS));
        }
        eventsWritten += n;
    }

    private void packet(EventBatch b, int from, int to) throws IOException {
        int count = to - from;
        int total = EVENTS_AT + count * Aedat4Reader.EVENT_BYTES;
        byte[] p = packet;
        java.util.Arrays.fill(p, 0, EVENTS_AT, (byte) 0);
        LittleEndian.putI32(p, 0, total - 4); // size prefix
        LittleEndian.putI32(p, 4, 16); // root table at 20, relative to 4
        System.arraycopy("EVTS".getBytes(StandardCharsets.US_ASCII), 0, p, 8, 4);
        LittleEndian.putI16(p, 12, 6); // vtable length: 4 + 1 field
        LittleEndian.putI16(p, 14, 8); // table length
        LittleEndian.putI16(p, 16, 4); // elements at table + 4
        LittleEndian.putI32(p, 20, 20 - 12); // table → vtable
        LittleEndian.putI32(p, 24, 28 - 24); // → vector at 28 (elements 8-aligned at 32)
        LittleEndian.putI32(p, 28, count);
        int at = EVENTS_AT;
        for (int i = from; i < to; i++, at += Aedat4Reader.EVENT_BYTES) {
            checkInside(b, i);
            LittleEndian.putI64(p, at, b.t(i));
            LittleEndian.putI16(p, at + 8, b.x(i));
            LittleEndian.putI16(p, at + 10, b.y(i));
            p[at + 12] = (byte) b.p(i);
            p[at + 13] = 0;
            p[at + 14] = 0;
            p[at + 15] = 0;
        }
        compressed.reset();
        try (LZ4FrameOutputStream z = new LZ4FrameOutputStream(compressed)) {
            z.write(p, 0, total);
        }
        byte[] c = compressed.toByteArray();
        ensure(8 + c.length);
        LittleEndian.putI32(buf, len, 0);
        LittleEndian.putI32(buf, len + 4, c.length);
        len += 8;
        put(c);
    }
}
