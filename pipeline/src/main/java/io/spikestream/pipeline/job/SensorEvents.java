package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;

/**
 * One packet of one sensor's events inside the job, or (with {@code problem} set) a record that
 * could not be decoded and goes to the dead letters. A Flink POJO (public fields, no-arg
 * constructor) so that its primitive columns are shipped between operators without Kryo.
 */
public class SensorEvents {
    public String sensorId;
    public int width;
    public int height;
    public long sequence;
    public long[] t;
    public short[] x;
    public short[] y;
    public byte[] p;
    /** Where it came from: topic or file, partition (-1 for files), offset. */
    public String source;
    public int partition;
    public long offset;
    /** Non-null for undecodable input: what was wrong (then {@code raw} holds the bytes). */
    public String problem;
    public byte[] raw;
    /**
     * The events still in the validated EventPacket bytes they arrived in (from Kafka), the
     * columns {@code t, x, y, p} then null: they cross the shuffle in this compact form and are
     * decoded once, by the framing operator ({@link #columns}).
     */
    public byte[] wire;
    /** With {@code wire}: its number of events. */
    public int count;
    /** With {@code wire}: its newest timestamp ({@code Long.MIN_VALUE} when empty). */
    public long newestUs = Long.MIN_VALUE;

    public SensorEvents() {
    }

    /** A packet holding events {@code [from, to)} of {@code batch} (columns copied). */
    public static SensorEvents of(String sensorId, int width, int height, long sequence, EventBatch batch, int from, int to) {
        SensorEvents e = new SensorEvents();
        e.sensorId = sensorId;
        e.width = width;
        e.height = height;
        e.sequence = sequence;
        int n = to - from;
        e.t = new long[n];
        e.x = new short[n];
        e.y = new short[n];
        e.p = new byte[n];
        System.arraycopy(batch.ts(), from, e.t, 0, n);
        System.arraycopy(batch.xs(), from, e.x, 0, n);
        System.arraycopy(batch.ys(), from, e.y, 0, n);
        System.arraycopy(batch.ps(), from, e.p, 0, n);
        return e;
    }

    /** A validated packet kept in its wire form (see {@link #wire}). */
    public static SensorEvents encoded(String sensorId, int width, int height, long sequence, byte[] wire, int count,
                                       long newestUs) {
        SensorEvents e = new SensorEvents();
        e.sensorId = sensorId;
        e.width = width;
        e.height = height;
        e.sequence = sequence;
        e.wire = wire;
        e.count = count;
        e.newestUs = newestUs;
        return e;
    }

    /**
     * The events as columns in {@code scratch}: decoded from {@link #wire}, or copied from the
     * columns. The caller reads {@code scratch.ts()} etc. up to {@link #size()}.
     */
    public EventBatch columns(EventBatch scratch) {
        if (wire != null) {
            io.spikestream.connectors.kafka.EventPacketWire.decode(wire, scratch);
        } else {
            copyTo(scratch);
        }
        return scratch;
    }

    /** An undecodable record. */
    public static SensorEvents bad(String source, int partition, long offset, String problem, byte[] raw) {
        SensorEvents e = new SensorEvents();
        e.source = source;
        e.partition = partition;
        e.offset = offset;
        e.problem = problem;
        e.raw = raw == null ? new byte[0] : raw;
        e.sensorId = "";
        e.t = new long[0];
        e.x = new short[0];
        e.y = new short[0];
        e.p = new byte[0];
        return e;
    }

    public int size() {
        return t != null ? t.length : wire != null ? count : 0;
    }

    /** The largest timestamp in the packet, or {@code Long.MIN_VALUE} when empty. */
    public long maxTimestamp() {
        if (t == null) {
            return wire != null && count > 0 ? newestUs : Long.MIN_VALUE;
        }
        long m = Long.MIN_VALUE;
        for (long v : t) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** Copies the events into {@code into} (cleared first). */
    public void copyTo(EventBatch into) {
        if (t == null && wire != null) {
            columns(into);
            return;
        }
        into.clear();
        int n = size();
        into.ensureCapacity(n);
        System.arraycopy(t, 0, into.ts(), 0, n);
        System.arraycopy(x, 0, into.xs(), 0, n);
        System.arraycopy(y, 0, into.ys(), 0, n);
        System.arraycopy(p, 0, into.ps(), 0, n);
        into.setSize(n);
    }
}
