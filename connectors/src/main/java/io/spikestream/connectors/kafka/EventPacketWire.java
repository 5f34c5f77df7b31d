package io.spikestream.connectors.kafka;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketCodec.Column;
import io.spikestream.schemas.EventPacket;
import java.nio.charset.StandardCharsets;

/**
 * The Avro binary form of an {@code EventPacket} written straight from {@link EventBatch} columns
 * and read straight back into them, without the intermediate record and its column buffers.
 *
 * <p>Why: on the hot paths (replay, the streaming job's source) the generic path costs an extra
 * allocation and copy of every column on each side. The bytes are identical to what
 * {@link EventPacketSerializer} writes for the same packet (a test checks this against Avro's own
 * writer for the current schema, so a schema change that this class does not follow fails the
 * build), so both paths interoperate freely. Decoding checks every length against the input
 * before using it and validates the columns like {@link EventPacketCodec#decode}.
 */
public final class EventPacketWire {
    private EventPacketWire() {}

    /** Outcome of {@link #tryDecode}: the header (events are in the batch), or what was wrong. */
    public record Decoded(EventPacketHeader header, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /**
     * Avro binary of the packet holding events {@code [from, to)} of {@code batch}.
     *
     * @throws IllegalArgumentException as {@link EventPacketCodec#encode} does
     */
    public static byte[] encode(String sensorId, SensorGeometry geometry, long sequence, EventBatch batch, int from, int to) {
        int n = to - from;
        if (from < 0 || n < 0 || to > batch.size()) {
            throw new IllegalArgumentException("events [" + from + ", " + to + ") outside batch of " + batch.size());
        }
        if (n > EventPacketCodec.MAX_EVENTS) {
            throw new IllegalArgumentException(n + " events exceed the packet limit of " + EventPacketCodec.MAX_EVENTS);
        }
        byte[] id = sensorId.getBytes(StandardCharsets.UTF_8);
        long first = n == 0 ? 0 : batch.ts()[from];
        int xl = 2 * n;
        int pl = (n + 7) >>> 3;
        int tl = 4 * n;
        int size = zigZagSize(id.length) + id.length + zigZagSize(geometry.width()) + zigZagSize(geometry.height())
                + zigZagSize(sequence) + zigZagSize(first) + zigZagSize(n)
                + 2 * (zigZagSize(xl) + xl) + zigZagSize(pl) + pl + zigZagSize(tl) + tl;
        byte[] out = new byte[size];
        int pos = writeZigZag(out, 0, id.length);
        System.arraycopy(id, 0, out, pos, id.length);
        pos += id.length;
        pos = writeZigZag(out, pos, geometry.width());
        pos = writeZigZag(out, pos, geometry.height());
        pos = writeZigZag(out, pos, sequence);
        pos = writeZigZag(out, pos, first);
        pos = writeZigZag(out, pos, n);
        int xo = writeZigZag(out, pos, xl);
        int yo = writeZigZag(out, xo + xl, xl);
        int po = writeZigZag(out, yo + xl, pl);
        int to2 = writeZigZag(out, po + pl, tl);
        EventPacketCodec.writeColumns(sensorId, geometry, batch, from, n, out, xo, out, yo, out, po, out, to2);
        return out;
    }

    /**
     * Clears {@code into} and decodes the packet in {@code wire} into it.
     *
     * @throws InvalidAvroDataException when the bytes are not an EventPacket record (byte offset and field named)
     * @throws InvalidEventPacketException when the record's columns are invalid (packet named)
     */
    public static EventPacketHeader decode(byte[] wire, EventBatch into) {
        Reader r = new Reader(wire);
        String problem = r.read(into);
        if (problem == null) {
            return r.header();
        }
        if (r.header == null) {
            throw new InvalidAvroDataException(problem);
        }
        throw new InvalidEventPacketException(r.header.sensorId(), r.header.sequence(), problem);
    }

    /** Like {@link #decode} but never throws for bad input; {@code into} is empty when it fails. */
    public static Decoded tryDecode(byte[] wire, EventBatch into) {
        Reader r = new Reader(wire);
        String problem = r.read(into);
        if (problem == null) {
            return new Decoded(r.header(), null);
        }
        into.clear();
        return new Decoded(null, r.header == null ? problem
                : InvalidEventPacketException.describe(r.header.sensorId(), r.header.sequence()) + ": " + problem);
    }

    /**
     * The Avro binary of a packet record, as {@code SpecificDatumWriter} writes it, with one copy of
     * each column into an array of exactly the right size.
     */
    public static byte[] write(EventPacket packet) {
        byte[] id = packet.getSensorId().getBytes(StandardCharsets.UTF_8);
        java.nio.ByteBuffer[] columns = {packet.getX(), packet.getY(), packet.getPolarity(), packet.getDt()};
        int size = zigZagSize(id.length) + id.length + zigZagSize(packet.getWidth()) + zigZagSize(packet.getHeight())
                + zigZagSize(packet.getSequence()) + zigZagSize(packet.getFirstTimestampUs()) + zigZagSize(packet.getEventCount());
        for (java.nio.ByteBuffer c : columns) {
            size += zigZagSize(c.remaining()) + c.remaining();
        }
        byte[] out = new byte[size];
        int pos = writeZigZag(out, 0, id.length);
        System.arraycopy(id, 0, out, pos, id.length);
        pos += id.length;
        pos = writeZigZag(out, pos, packet.getWidth());
        pos = writeZigZag(out, pos, packet.getHeight());
        pos = writeZigZag(out, pos, packet.getSequence());
        pos = writeZigZag(out, pos, packet.getFirstTimestampUs());
        pos = writeZigZag(out, pos, packet.getEventCount());
        for (java.nio.ByteBuffer c : columns) {
            int n = c.remaining();
            pos = writeZigZag(out, pos, n);
            c.duplicate().get(out, pos, n);
            pos += n;
        }
        return out;
    }

    /**
     * Reads the Avro binary of a packet record whose columns are views of {@code wire} (no copy;
     * the caller must not change {@code wire} while the record is in use). Only the record's
     * structure is checked here; {@link EventPacketCodec#decode} checks the columns.
     */
    public static EventPacket read(byte[] wire) {
        Reader r = new Reader(wire);
        String problem = r.parse();
        if (problem != null) {
            throw new InvalidAvroDataException(problem);
        }
        EventPacketHeader h = r.header;
        return new EventPacket(h.sensorId(), h.width(), h.height(), h.sequence(), h.firstTimestampUs(), h.eventCount(),
                view(r.x), view(r.y), view(r.p), view(r.t));
    }

    private static java.nio.ByteBuffer view(Column c) {
        return java.nio.ByteBuffer.wrap(c.bytes(), c.offset(), c.length()).slice();
    }

    /** Walks one EventPacket record; {@code header} is set once the fields before the columns are read. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private String field;
        EventPacketHeader header;

        Reader(byte[] data) {
            this.data = data;
        }

        EventPacketHeader header() {
            return header;
        }

        Column x;
        Column y;
        Column p;
        Column t;

        /** Reads the record's fields and finds its columns; returns what was wrong, or null. */
        String parse() {
            if (data == null) {
                return "no data (null) where an EventPacket was expected";
            }
            try {
                field = "sensorId";
                int idLength = length("string");
                String sensorId = new String(data, pos, idLength, StandardCharsets.UTF_8);
                pos += idLength;
                field = "width";
                int width = (int) zigZag(5);
                field = "height";
                int height = (int) zigZag(5);
                field = "sequence";
                long sequence = zigZag(10);
                field = "firstTimestampUs";
                long first = zigZag(10);
                field = "eventCount";
                int n = (int) zigZag(5);
                x = column("x");
                y = column("y");
                p = column("polarity");
                t = column("dt");
                if (pos != data.length) {
                    return invalid(pos, (data.length - pos) + " bytes left over after a complete EventPacket");
                }
                header = new EventPacketHeader(sensorId, width, height, sequence, first, n);
                return null;
            } catch (Malformed m) {
                return m.getMessage();
            }
        }

        String read(EventBatch into) {
            into.clear();
            String problem = parse();
            if (problem != null) {
                return problem;
            }
            EventPacketHeader h = header;
            return EventPacketCodec.decodeColumns(h.width(), h.height(), h.firstTimestampUs(), h.eventCount(), x, y, p, t, into);
        }

        private Column column(String name) {
            field = name;
            int length = length("bytes");
            Column c = new Column(data, pos, length);
            pos += length;
            return c;
        }

        private int length(String type) {
            int at = pos;
            long length = zigZag(10);
            if (length < 0 || length > data.length - pos) {
                throw new Malformed(invalid(at, type + " length " + length + " but only " + (data.length - pos) + " bytes left"));
            }
            return (int) length;
        }

        private long zigZag(int maxBytes) {
            int at = pos;
            long raw = 0;
            for (int shift = 0, i = 0; ; shift += 7, i++) {
                if (i == maxBytes) {
                    throw new Malformed(invalid(at, "variable-length integer longer than " + maxBytes + " bytes"));
                }
                if (pos >= data.length) {
                    throw new Malformed(invalid(at, "input ends inside a variable-length integer"));
                }
                int b = data[pos++];
                raw |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            long v = (raw >>> 1) ^ -(raw & 1);
            if (maxBytes == 5 && v != (int) v) {
                throw new Malformed(invalid(at, "int value " + v + " out of range"));
            }
            return v;
        }

        private String invalid(int at, String what) {
            return "not a valid EventPacket (" + data.length + " bytes): byte " + at + " (" + field + "): " + what;
        }
    }

    private static final class Malformed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    private static int zigZagSize(long v) {
        long z = (v << 1) ^ (v >> 63);
        int size = 1;
        while ((z & ~0x7FL) != 0) {
            z >>>= 7;
            size++;
        }
        return size;
    }

    private static int writeZigZag(byte[] out, int pos, long v) {
        long z = (v << 1) ^ (v >> 63);
        while ((z & ~0x7FL) != 0) {
            out[pos++] = (byte) ((z & 0x7F) | 0x80);
            z >>>= 7;
        }
        out[pos++] = (byte) z;
        return pos;
    }
}
