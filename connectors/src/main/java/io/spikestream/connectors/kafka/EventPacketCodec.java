package io.spikestream.connectors.kafka;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.schemas.EventPacket;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Converts between {@link EventBatch} columns and the packed little-endian columns of an
 * {@link EventPacket} (layout in EventPacket.avsc): x, y as u16, polarity bit-packed, timestamps as
 * i32 offsets from the first event's.
 *
 * <p>Each column is one tight loop over a byte array (no per-event objects, no branches that depend
 * on the data), which is what makes ≥100 M events/s possible. Decoding validates everything a
 * hostile or corrupt packet could get wrong and either throws {@link InvalidEventPacketException}
 * ({@link #decode}) or reports the problem ({@link #tryDecode}) so that a streaming job can route the
 * packet to a dead letter instead of failing. Stateless and thread-safe.
 */
public final class EventPacketCodec {
    /** Most events one packet may carry (16 Mi, about 136 MB of columns); larger counts are rejected as corrupt. */
    public static final int MAX_EVENTS = 1 << 24;

    private static final VarHandle I32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private EventPacketCodec() {}

    /** Outcome of {@link #tryDecode}: the number of events decoded, or what was wrong with the packet. */
    public record DecodeResult(int events, String problem) {
        public boolean ok() {
            return problem == null;
        }
    }

    /** Packs events {@code [from, to)} of {@code batch} into a new packet with freshly allocated columns. */
    public static EventPacket encode(String sensorId, SensorGeometry geometry, long sequence, EventBatch batch, int from, int to) {
        return encodeInto(new EventPacket(), sensorId, geometry, sequence, batch, from, to);
    }

    /**
     * Packs events {@code [from, to)} of {@code batch} into {@code reuse}, reusing its column buffers
     * when they are large enough (so a serializer that sends the packet at once allocates nothing).
     *
     * @throws IllegalArgumentException if an event lies outside {@code geometry}, the packet would hold
     *     more than {@link #MAX_EVENTS} events, or its timestamps spread more than 2^31 µs from the first
     */
    public static EventPacket encodeInto(EventPacket reuse, String sensorId, SensorGeometry geometry, long sequence,
                                         EventBatch batch, int from, int to) {
        int n = to - from;
        if (from < 0 || n < 0 || to > batch.size()) {
            throw new IllegalArgumentException("events [" + from + ", " + to + ") outside batch of " + batch.size());
        }
        if (n > MAX_EVENTS) {
            throw new IllegalArgumentException(n + " events exceed the packet limit of " + MAX_EVENTS);
        }
        long first = n == 0 ? 0 : batch.ts()[from];
        byte[] xa = buffer(reuse.getX(), 2 * n);
        byte[] ya = buffer(reuse.getY(), 2 * n);
        byte[] pa = buffer(reuse.getPolarity(), (n + 7) >>> 3);
        byte[] ta = buffer(reuse.getDt(), 4 * n);

        writeColumns(sensorId, geometry, batch, from, n, xa, 0, ya, 0, pa, 0, ta, 0);
        reuse.setSensorId(sensorId);
        reuse.setWidth(geometry.width());
        reuse.setHeight(geometry.height());
        reuse.setSequence(sequence);
        reuse.setFirstTimestampUs(first);
        reuse.setEventCount(n);
        reuse.setX(ByteBuffer.wrap(xa, 0, 2 * n));
        reuse.setY(ByteBuffer.wrap(ya, 0, 2 * n));
        reuse.setPolarity(ByteBuffer.wrap(pa, 0, (n + 7) >>> 3));
        reuse.setDt(ByteBuffer.wrap(ta, 0, 4 * n));
        return reuse;
    }

    /**
     * Writes the four columns of events {@code [from, from + n)} at the given array offsets (each
     * array needs room for its column) and checks them against the geometry and the i32 time range.
     */
    static void writeColumns(String sensorId, SensorGeometry geometry, EventBatch batch, int from, int n,
                             byte[] xa, int xo, byte[] ya, int yo, byte[] pa, int po, byte[] ta, int to) {
        short[] xs = batch.xs();
        short[] ys = batch.ys();
        long[] ts = batch.ts();
        long first = n == 0 ? 0 : ts[from];
        // x and y are plain copies (a memory copy on little-endian machines); the check is a separate pass
        ByteBuffer.wrap(xa, xo, 2 * n).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(xs, from, n);
        ByteBuffer.wrap(ya, yo, 2 * n).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().put(ys, from, n);
        int outside = outside(xs, ys, from, n, geometry.width() - 1, geometry.height() - 1);
        long overflow = 0;
        for (int i = 0; i < n; i++) {
            long d = ts[from + i] - first;
            overflow |= d - (int) d; // non-zero iff d does not fit in an int
            I32.set(ta, to + 4 * i, (int) d);
        }
        packPolarity(batch.ps(), from, n, pa, po);
        if (outside < 0) {
            throw new IllegalArgumentException("sensor '" + sensorId + "': event " + firstOutside(batch, from, n, geometry)
                    + " lies outside the sensor " + geometry);
        }
        if (overflow != 0) {
            throw new IllegalArgumentException("sensor '" + sensorId + "': events [" + from + ", " + (from + n)
                    + ") spread more than 2^31 µs from the first timestamp " + first);
        }
    }

    /**
     * Clears {@code into} and fills it with the packet's events.
     *
     * @return the number of events decoded
     * @throws InvalidEventPacketException naming the packet when its columns are inconsistent
     */
    public static int decode(EventPacket packet, EventBatch into) {
        String problem = decodeOrExplain(packet, into);
        if (problem != null) {
            throw new InvalidEventPacketException(String.valueOf(packet.getSensorId()), packet.getSequence(), problem);
        }
        return into.size();
    }

    /**
     * Like {@link #decode} but never throws for bad packets: the result says what was wrong (and
     * {@code into} is then empty), for callers that route bad input to a dead letter.
     */
    public static DecodeResult tryDecode(EventPacket packet, EventBatch into) {
        String problem = decodeOrExplain(packet, into);
        return problem == null ? new DecodeResult(into.size(), null)
                : new DecodeResult(0, InvalidEventPacketException.describe(String.valueOf(packet.getSensorId()), packet.getSequence())
                        + ": " + problem);
    }

    /** The sensor geometry a packet declares; throws {@link InvalidEventPacketException} if impossible. */
    public static SensorGeometry geometry(EventPacket packet) {
        String problem = checkGeometry(packet.getWidth(), packet.getHeight());
        if (problem != null) {
            throw new InvalidEventPacketException(String.valueOf(packet.getSensorId()), packet.getSequence(), problem);
        }
        return new SensorGeometry(packet.getWidth(), packet.getHeight());
    }

    private static String decodeOrExplain(EventPacket packet, EventBatch into) {
        into.clear();
        if (packet.getSensorId() == null) {
            return "no sensor id";
        }
        return decodeColumns(packet.getWidth(), packet.getHeight(), packet.getFirstTimestampUs(), packet.getEventCount(),
                Column.of(packet.getX()), Column.of(packet.getY()), Column.of(packet.getPolarity()), Column.of(packet.getDt()), into);
    }

    /**
     * Checks the columns of a packet of {@code n} events against each other and the geometry, and
     * decodes them into {@code into} (already cleared); returns what was wrong, or null.
     */
    static String decodeColumns(int width, int height, long first, int n, Column x, Column y, Column p, Column t,
                                EventBatch into) {
        String problem = checkGeometry(width, height);
        if (problem != null) {
            return problem;
        }
        if (n < 0 || n > MAX_EVENTS) {
            return "event count " + n + " outside [0, " + MAX_EVENTS + "]";
        }
        if ((problem = checkLength("x", x, 2L * n, n)) != null
                || (problem = checkLength("y", y, 2L * n, n)) != null
                || (problem = checkLength("polarity", p, (n + 7L) >>> 3, n)) != null
                || (problem = checkLength("dt", t, 4L * n, n)) != null) {
            return problem;
        }
        if ((n & 7) != 0 && (p.bytes[p.offset + (n >>> 3)] & 0xFF) >>> (n & 7) != 0) {
            return "polarity padding bits after event " + (n - 1) + " are not 0";
        }
        if (n > 0 && (int) I32.get(t.bytes, t.offset) != 0) {
            return "dt of the first event is " + (int) I32.get(t.bytes, t.offset) + ", must be 0";
        }

        into.ensureCapacity(n);
        short[] xs = into.xs();
        short[] ys = into.ys();
        long[] ts = into.ts();
        int maxX = width - 1;
        int maxY = height - 1;
        ByteBuffer.wrap(x.bytes, x.offset, x.length).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(xs, 0, n);
        ByteBuffer.wrap(y.bytes, y.offset, y.length).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(ys, 0, n);
        if (outside(xs, ys, 0, n, maxX, maxY) < 0) {
            for (int i = 0; i < n; i++) {
                if ((xs[i] & 0xFFFF) > maxX || (ys[i] & 0xFFFF) > maxY) {
                    return "event " + i + " at (" + (xs[i] & 0xFFFF) + ", " + (ys[i] & 0xFFFF)
                            + ") lies outside the declared sensor " + width + "x" + height;
                }
            }
        }
        byte[] ta = t.bytes;
        int to = t.offset;
        for (int i = 0; i < n; i++) {
            ts[i] = first + (int) I32.get(ta, to + 4 * i);
        }
        unpackPolarity(p.bytes, p.offset, n, into.ps());
        into.setSize(n);
        return null;
    }

    /** Negative iff some event of {@code [from, from + n)} has x > maxX or y > maxY (coordinates unsigned). */
    private static int outside(short[] xs, short[] ys, int from, int n, int maxX, int maxY) {
        int outside = 0;
        for (int i = from; i < from + n; i++) {
            outside |= (maxX - (xs[i] & 0xFFFF)) | (maxY - (ys[i] & 0xFFFF));
        }
        return outside;
    }

    private static String checkGeometry(int width, int height) {
        if (width < 1 || width > 65535 || height < 1 || height > 65535) {
            return "impossible sensor geometry " + width + "x" + height;
        }
        return null;
    }

    private static String checkLength(String name, Column c, long expected, int n) {
        if (c == null) {
            return "no " + name + " column";
        }
        if (c.length != expected) {
            return name + " column holds " + c.length + " bytes, expected " + expected + " for " + n + " events";
        }
        return null;
    }

    private static void packPolarity(byte[] ps, int from, int n, byte[] out, int offset) {
        int full = n >>> 3;
        for (int j = 0; j < full; j++) {
            int b = from + 8 * j;
            out[offset + j] = (byte) ((ps[b] & 1) | (ps[b + 1] & 1) << 1 | (ps[b + 2] & 1) << 2 | (ps[b + 3] & 1) << 3
                    | (ps[b + 4] & 1) << 4 | (ps[b + 5] & 1) << 5 | (ps[b + 6] & 1) << 6 | (ps[b + 7] & 1) << 7);
        }
        if ((n & 7) != 0) {
            int last = 0;
            for (int i = full * 8; i < n; i++) {
                last |= (ps[from + i] & 1) << (i & 7);
            }
            out[offset + full] = (byte) last;
        }
    }

    private static void unpackPolarity(byte[] in, int offset, int n, byte[] ps) {
        int full = n >>> 3;
        for (int j = 0; j < full; j++) {
            int v = in[offset + j];
            int b = 8 * j;
            ps[b] = (byte) (v & 1);
            ps[b + 1] = (byte) (v >>> 1 & 1);
            ps[b + 2] = (byte) (v >>> 2 & 1);
            ps[b + 3] = (byte) (v >>> 3 & 1);
            ps[b + 4] = (byte) (v >>> 4 & 1);
            ps[b + 5] = (byte) (v >>> 5 & 1);
            ps[b + 6] = (byte) (v >>> 6 & 1);
            ps[b + 7] = (byte) (v >>> 7 & 1);
        }
        for (int i = full * 8; i < n; i++) {
            ps[i] = (byte) (in[offset + (i >>> 3)] >>> (i & 7) & 1);
        }
    }

    private static int firstOutside(EventBatch batch, int from, int n, SensorGeometry g) {
        for (int i = 0; i < n; i++) {
            if (!g.contains(batch.xs()[from + i] & 0xFFFF, batch.ys()[from + i] & 0xFFFF)) {
                return from + i;
            }
        }
        return -1;
    }

    /** The old buffer's array when it is large enough and not shared with someone else's view, else a new one. */
    private static byte[] buffer(ByteBuffer old, int size) {
        if (old != null && old.hasArray() && old.arrayOffset() == 0 && old.array().length >= size) {
            return old.array();
        }
        return new byte[Math.max(size, 1)];
    }

    /** A byte range of a column, as an array slice so that the loops use the fast array view handles. */
    record Column(byte[] bytes, int offset, int length) {
        static Column of(ByteBuffer b) {
            if (b == null) {
                return null;
            }
            if (b.hasArray()) {
                return new Column(b.array(), b.arrayOffset() + b.position(), b.remaining());
            }
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            return new Column(copy, 0, copy.length);
        }
    }
}
