package io.spikestream.connectors.event;

import java.util.Arrays;

/**
 * A growable, reusable column store of DVS events: timestamps in µs, x, y and polarity.
 *
 * <p>One event model for every format: origin top-left, x to the right, y down, polarity 1 = ON,
 * 0 = OFF. Columns (not one object per event) so that decoders, Kafka serialization and framing
 * run as tight loops over primitive arrays. The backing arrays are exposed for those loops; only
 * the first {@link #size()} entries are meaningful.
 */
public final class EventBatch {
    private long[] t;
    private short[] x;
    private short[] y;
    private byte[] p;
    private int size;

    public EventBatch() {
        this(4096);
    }

    public EventBatch(int initialCapacity) {
        int c = Math.max(1, initialCapacity);
        t = new long[c];
        x = new short[c];
        y = new short[c];
        p = new byte[c];
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int capacity() {
        return t.length;
    }

    public void clear() {
        size = 0;
    }

    public long t(int i) {
        return t[i];
    }

    public int x(int i) {
        return x[i];
    }

    public int y(int i) {
        return y[i];
    }

    /** Polarity of event {@code i}: 1 = ON, 0 = OFF. */
    public int p(int i) {
        return p[i];
    }

    /** Appends one event, growing the columns when full. */
    public void add(long ts, int xs, int ys, int pol) {
        if (size == t.length) {
            ensureCapacity(size + 1);
        }
        t[size] = ts;
        x[size] = (short) xs;
        y[size] = (short) ys;
        p[size] = (byte) pol;
        size++;
    }

    /** Appends events {@code [from, to)} of another batch. */
    public void addAll(EventBatch other, int from, int to) {
        int n = to - from;
        ensureCapacity(size + n);
        System.arraycopy(other.t, from, t, size, n);
        System.arraycopy(other.x, from, x, size, n);
        System.arraycopy(other.y, from, y, size, n);
        System.arraycopy(other.p, from, p, size, n);
        size += n;
    }

    /** Grows the columns so that at least {@code capacity} events fit. */
    public void ensureCapacity(int capacity) {
        if (capacity > t.length) {
            int c = Math.max(capacity, t.length + (t.length >> 1));
            t = Arrays.copyOf(t, c);
            x = Arrays.copyOf(x, c);
            y = Arrays.copyOf(y, c);
            p = Arrays.copyOf(p, c);
        }
    }

    /**
     * Sets the size after a decoder wrote directly into the columns (see {@link #ts()} etc.).
     */
    public void setSize(int newSize) {
        if (newSize < 0 || newSize > t.length) {
            throw new IllegalArgumentException("size " + newSize + " outside [0, " + t.length + "]");
        }
        size = newSize;
    }

    /** The timestamp column (µs); valid entries are {@code [0, size)}. */
    public long[] ts() {
        return t;
    }

    public short[] xs() {
        return x;
    }

    public short[] ys() {
        return y;
    }

    public byte[] ps() {
        return p;
    }

    /** A copy holding exactly this batch's events. */
    public EventBatch copy() {
        EventBatch c = new EventBatch(Math.max(1, size));
        c.addAll(this, 0, size);
        return c;
    }

    /** Events equal in count, order and every field. */
    public boolean sameEvents(EventBatch o) {
        return size == o.size
                && Arrays.equals(t, 0, size, o.t, 0, size)
                && Arrays.equals(x, 0, size, o.x, 0, size)
                && Arrays.equals(y, 0, size, o.y, 0, size)
                && Arrays.equals(p, 0, size, o.p, 0, size);
    }

    @Override
    public String toString() {
        return "EventBatch[size=" + size + (size > 0 ? ", t=" + t[0] + ".." + t[size - 1] : "") + "]";
    }
}
