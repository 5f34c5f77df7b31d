package io.spikestream.pipeline.framing;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.recording.EventReader;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Bins one sensor's events into windows of timestep frames, incrementally: {@link #accept}
 * events in (almost) time order, {@link #advanceTo} an event-time watermark, get the windows that
 * closed. The offline path ({@link #frames}) runs the very same code, so training and serving
 * frames are identical.
 *
 * <p>Time axis: bin {@code b} covers {@code [b*dt, (b+1)*dt)} µs of absolute event time, window
 * {@code w} covers bins {@code [w*hop, w*hop+bins)}. Windows are emitted from the first window
 * holding an event on, in index order; windows without events are emitted only between windows
 * with events and only across gaps up to {@code maxGapUs} (a longer silence is skipped, so a
 * sensor that goes quiet costs nothing). An event whose bin belongs to an emitted window is late.
 *
 * <p>Not thread-safe; one instance per sensor.
 */
public final class Framer {
    /** Default longest silence that is still bridged by empty windows. */
    public static final long DEFAULT_MAX_GAP_US = 1_000_000;
    /** Memory bound for bins held open (bytes of frame planes). */
    static final long OPEN_BIN_BYTES = 64L << 20;
    private static final long UNSET = Long.MIN_VALUE;
    private static final long NEVER = Long.MIN_VALUE / 4;

    private final FramingSpec spec;
    private final String sensorId;
    private final SensorGeometry geometry;
    private final long maxGapUs;
    private final int[] lut;
    private final int sensorWidth;
    private final int sensorHeight;
    private final int planeSize;
    private final int maxOpenBins;
    private final long maxGapWindows;
    private final TreeMap<Long, Bin> open = new TreeMap<>();
    /** Per sensor pixel, the newest timestamp of a neighbour, padded by one pixel on each side (denoise only). */
    private final long[] lastFired;

    private long nextWindow = UNSET;
    private long lastEmittedEndBin = UNSET;

    // The bin the last event fell into, so that events in the same bin skip the map lookup.
    private long cachedLo = 1;
    private long cachedHi = 0;
    private Bin cached;
    private Reject cachedReject;

    private Reject.Sink rejects;
    private long accepted;
    private long late;
    private long outOfBounds;
    private long tooFarAhead;
    private long cropped;
    private long denoised;

    /** Event counts and the two polarity planes of one bin. */
    private static final class Bin {
        final float[] plane;
        int events;

        Bin(int size) {
            plane = new float[size];
        }
    }

    public Framer(FramingSpec spec, String sensorId, SensorGeometry geometry) {
        this(spec, sensorId, geometry, DEFAULT_MAX_GAP_US);
    }

    public Framer(FramingSpec spec, String sensorId, SensorGeometry geometry, long maxGapUs) {
        this.spec = spec;
        this.sensorId = sensorId;
        this.geometry = geometry;
        this.maxGapUs = maxGapUs;
        PixelMap map = PixelMap.of(spec, geometry);
        this.lut = map.table();
        this.sensorWidth = geometry.width();
        this.sensorHeight = geometry.height();
        this.planeSize = spec.binSize();
        this.maxOpenBins = (int) Math.max(4L * spec.bins(), Math.min(1 << 16, OPEN_BIN_BYTES / (4L * planeSize)));
        this.maxGapWindows = Math.max(0, maxGapUs / spec.hopUs());
        if (spec.denoise()) {
            lastFired = new long[(sensorWidth + 2) * (sensorHeight + 2)];
            Arrays.fill(lastFired, NEVER);
        } else {
            lastFired = null;
        }
    }

    public FramingSpec spec() {
        return spec;
    }

    public String sensorId() {
        return sensorId;
    }

    public SensorGeometry geometry() {
        return geometry;
    }

    /** Where set-aside events go besides being counted (null: only counted). */
    public void rejectsTo(Reject.Sink sink) {
        this.rejects = sink;
    }

    /** Bins all events of {@code batch}. */
    public void accept(EventBatch batch) {
        accept(batch, 0, batch.size());
    }

    /** Bins events {@code [from, to)} of {@code batch}. */
    public void accept(EventBatch batch, int from, int to) {
        accept(batch.ts(), batch.xs(), batch.ys(), batch.ps(), from, to);
    }

    /** Bins events {@code [from, to)} given as columns (the layout of {@link EventBatch}). */
    public void accept(long[] ts, short[] xs, short[] ys, byte[] ps, int from, int to) {
        if (lastFired == null) {
            acceptPlain(ts, xs, ys, ps, from, to);
        } else {
            acceptDenoised(ts, xs, ys, ps, from, to);
        }
    }

    private void acceptPlain(long[] ts, short[] xs, short[] ys, byte[] ps, int from, int to) {
        final int[] lut = this.lut;
        final int sw = sensorWidth;
        final int sh = sensorHeight;
        final int hw = planeSize >> 1;
        long crop = 0;
        long in = 0;
        int i = from;
        while (i < to) {
            long t = ts[i];
            if (t < cachedLo || t >= cachedHi) {
                select(t);
            }
            Bin bin = cached;
            if (bin == null) {
                // a late (or too far ahead) bin: set aside event by event
                int x = xs[i] & 0xFFFF;
                int y = ys[i] & 0xFFFF;
                int p = ps[i];
                reject(x >= sw || y >= sh || (p & ~1) != 0 ? Reject.OUT_OF_BOUNDS : cachedReject, t, xs[i], ys[i], p);
                i++;
                continue;
            }
            // the hot loop: events of one open bin, no calls inside (it leaves for anything unusual)
            final long lo = cachedLo;
            final long hi = cachedHi;
            final float[] plane = bin.plane;
            int n = 0;
            for (; i < to; i++) {
                long te = ts[i];
                int x = xs[i] & 0xFFFF;
                int y = ys[i] & 0xFFFF;
                int p = ps[i];
                if (te < lo || te >= hi || x >= sw || y >= sh || (p & ~1) != 0) {
                    break;
                }
                int target = lut[y * sw + x];
                if (target < 0) {
                    crop++;
                    continue;
                }
                plane[p * hw + target] += 1f;
                n++;
            }
            bin.events += n;
            in += n;
            if (i < to) {
                int x = xs[i] & 0xFFFF;
                int y = ys[i] & 0xFFFF;
                int p = ps[i];
                if (x >= sw || y >= sh || (p & ~1) != 0) {
                    reject(Reject.OUT_OF_BOUNDS, ts[i], xs[i], ys[i], p);
                    i++;
                }
                // otherwise the event starts another bin: the outer loop selects it
            }
        }
        accepted += in;
        cropped += crop;
    }

    private void acceptDenoised(long[] ts, short[] xs, short[] ys, byte[] ps, int from, int to) {
        final int[] lut = this.lut;
        final long[] support = lastFired;
        final int sw = sensorWidth;
        final int sh = sensorHeight;
        final int stride = sw + 2;
        final int hw = planeSize >> 1;
        final long window = spec.denoiseWindowUs();
        for (int i = from; i < to; i++) {
            long t = ts[i];
            int x = xs[i] & 0xFFFF;
            int y = ys[i] & 0xFFFF;
            int p = ps[i];
            if (x >= sw || y >= sh || (p & ~1) != 0) {
                reject(Reject.OUT_OF_BOUNDS, t, xs[i], ys[i], p);
                continue;
            }
            // background-activity filter: each event stamps its time on its 8 neighbours' cells, so
            // an event is supported when its own cell holds a neighbour's time within the window
            // (one load per event instead of eight; every in-bounds event counts as activity)
            int c = (y + 1) * stride + x + 1;
            boolean supported = Math.abs(t - support[c]) <= window;
            support[c - stride - 1] = t;
            support[c - stride] = t;
            support[c - stride + 1] = t;
            support[c - 1] = t;
            support[c + 1] = t;
            support[c + stride - 1] = t;
            support[c + stride] = t;
            support[c + stride + 1] = t;
            if (!supported) {
                denoised++;
                continue;
            }
            if (t < cachedLo || t >= cachedHi) {
                select(t);
            }
            Bin bin = cached;
            if (bin == null) {
                reject(cachedReject, t, x, y, p);
                continue;
            }
            int target = lut[y * sw + x];
            if (target < 0) {
                cropped++;
                continue;
            }
            bin.plane[p * hw + target] += 1f;
            bin.events++;
            accepted++;
        }
    }


    /** Points the cache at the bin of time {@code t}, opening it, or records why it cannot take events. */
    private void select(long t) {
        long dt = spec.dtUs();
        long b = Math.floorDiv(t, dt);
        cachedLo = b * dt;
        cachedHi = cachedLo + dt;
        if (b < floorBin()) {
            cached = null;
            cachedReject = Reject.LATE;
            return;
        }
        Bin bin = open.get(b);
        if (bin == null) {
            if (open.size() >= maxOpenBins) {
                cached = null;
                cachedReject = Reject.TOO_FAR_AHEAD;
                return;
            }
            bin = new Bin(planeSize);
            open.put(b, bin);
        }
        cached = bin;
        cachedReject = null;
    }

    /** The lowest bin that may still take events. */
    private long floorBin() {
        if (nextWindow == UNSET) {
            return Long.MIN_VALUE;
        }
        return Math.max(nextWindow * spec.hopBins(), lastEmittedEndBin);
    }

    private void reject(Reject reason, long t, int x, int y, int p) {
        switch (reason) {
            case LATE -> late++;
            case OUT_OF_BOUNDS -> outOfBounds++;
            case TOO_FAR_AHEAD -> tooFarAhead++;
        }
        if (rejects != null) {
            rejects.reject(reason, t, x, y, p);
        }
    }

    /**
     * Closes every window that ends at or before {@code watermarkUs} (no event with a timestamp
     * ≤ the watermark is expected any more) and returns them in index order.
     */
    public List<Window> advanceTo(long watermarkUs) {
        List<Window> out = new ArrayList<>();
        advanceTo(watermarkUs, out::add);
        return out;
    }

    /** As {@link #advanceTo(long)}, handing each closed window to {@code out}. */
    public void advanceTo(long watermarkUs, Consumer<Window> out) {
        final int k = spec.bins();
        final int hop = spec.hopBins();
        final long dt = spec.dtUs();
        boolean changed = false;
        while (!open.isEmpty()) {
            long w = nextWindow != UNSET ? nextWindow : firstWindowContaining(open.firstKey());
            long startBin = w * hop;
            long endBin = startBin + k;
            if (endBin * dt - 1 > watermarkUs) {
                break;
            }
            Long firstData = open.ceilingKey(startBin);
            if (firstData == null) {
                break; // quiet: no trailing empty windows
            }
            changed = true;
            if (firstData >= endBin) {
                long wData = firstWindowContaining(firstData);
                if (wData - w > maxGapWindows) {
                    nextWindow = wData; // skip a long silence
                    continue;
                }
            }
            out.accept(build(w));
            nextWindow = w + 1;
            lastEmittedEndBin = endBin;
            open.headMap(nextWindow * hop).clear();
        }
        if (changed) {
            cachedLo = 1;
            cachedHi = 0;
            cached = null;
        }
    }

    /**
     * Closes everything holding events, as if the watermark had passed the last event's window:
     * for a sensor that went quiet while the watermark stalled.
     */
    public void flush(Consumer<Window> out) {
        if (!open.isEmpty()) {
            long lastWindow = Math.floorDiv(open.lastKey(), spec.hopBins());
            advanceTo((lastWindow * spec.hopBins() + spec.bins()) * spec.dtUs() - 1, out);
        }
    }

    /** The event time (µs) at which the earliest window holding events closes, or {@code Long.MAX_VALUE}. */
    public long nextCloseUs() {
        if (open.isEmpty()) {
            return Long.MAX_VALUE;
        }
        long w = nextWindow != UNSET ? nextWindow : firstWindowContaining(open.firstKey());
        return (w * spec.hopBins() + spec.bins()) * spec.dtUs() - 1;
    }

    /** Whether any binned event waits for its window to close. */
    public boolean hasPending() {
        return !open.isEmpty();
    }

    private long firstWindowContaining(long bin) {
        return Math.floorDiv(bin - spec.bins() + spec.hopBins(), spec.hopBins());
    }

    private Window build(long w) {
        final int k = spec.bins();
        final int size = planeSize;
        long startBin = w * spec.hopBins();
        float[] frames = new float[k * size];
        int[] counts = new int[k];
        for (Map.Entry<Long, Bin> e : open.subMap(startBin, startBin + k).entrySet()) {
            int slot = (int) (e.getKey() - startBin);
            float[] plane = e.getValue().plane;
            counts[slot] = e.getValue().events;
            if (spec.clip()) {
                int base = slot * size;
                for (int i = 0; i < size; i++) {
                    frames[base + i] = Math.min(plane[i], 1f);
                }
            } else {
                System.arraycopy(plane, 0, frames, slot * size, size);
            }
        }
        long dt = spec.dtUs();
        return new Window(sensorId, w, startBin * dt, (startBin + k) * dt, k, spec.height(), spec.width(), frames, counts);
    }

    /** Events binned so far. */
    public long accepted() {
        return accepted;
    }

    public long late() {
        return late;
    }

    public long outOfBounds() {
        return outOfBounds;
    }

    public long tooFarAhead() {
        return tooFarAhead;
    }

    /** Events inside the sensor that the crop cut away. */
    public long cropped() {
        return cropped;
    }

    /** Events removed by the background-activity filter. */
    public long denoised() {
        return denoised;
    }

    // ---- offline path -------------------------------------------------------------------------

    /**
     * Streams the windows of a recording to {@code out} without holding the recording: after
     * each batch the watermark moves to the batch's last timestamp minus one window (slack for
     * small disorder in files), and to the end at the end.
     */
    public static void forEachWindow(EventReader reader, FramingSpec spec, String sensorId, Consumer<Window> out)
            throws IOException {
        Framer framer = new Framer(spec, sensorId, reader.geometry());
        EventBatch batch = new EventBatch(1 << 16);
        while (reader.read(batch, 1 << 16)) {
            framer.accept(batch);
            if (!batch.isEmpty()) {
                framer.advanceTo(batch.t(batch.size() - 1) - spec.windowUs(), out);
            }
        }
        framer.advanceTo(Long.MAX_VALUE, out);
    }

    /** All windows of the events in {@code batch}, as one sensor of {@code geometry}. */
    public static List<Window> frames(EventBatch batch, FramingSpec spec, SensorGeometry geometry, String sensorId) {
        Framer framer = new Framer(spec, sensorId, geometry);
        framer.accept(batch);
        return framer.advanceTo(Long.MAX_VALUE);
    }

    // ---- state for checkpoints ---------------------------------------------------------------

    /** Writes everything needed to continue exactly where this framer is (not the counters). */
    public void writeState(DataOutput out) throws IOException {
        out.writeUTF(spec.toJson());
        out.writeUTF(sensorId);
        out.writeInt(geometry.width());
        out.writeInt(geometry.height());
        out.writeLong(maxGapUs);
        out.writeLong(nextWindow);
        out.writeLong(lastEmittedEndBin);
        out.writeInt(open.size());
        for (Map.Entry<Long, Bin> e : open.entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue().events);
            float[] plane = e.getValue().plane;
            // planes are sparse: write (index, value) pairs of the non-zero entries
            int nonZero = 0;
            for (float v : plane) {
                if (v != 0f) {
                    nonZero++;
                }
            }
            out.writeInt(nonZero);
            for (int i = 0; i < plane.length; i++) {
                if (plane[i] != 0f) {
                    out.writeInt(i);
                    out.writeFloat(plane[i]);
                }
            }
        }
        out.writeBoolean(lastFired != null);
        if (lastFired != null) {
            for (long v : lastFired) {
                out.writeLong(v);
            }
        }
    }

    /** Reads what {@link #writeState} wrote. */
    public static Framer readState(DataInput in) throws IOException {
        FramingSpec spec;
        try {
            spec = FramingSpec.fromJson(in.readUTF());
        } catch (IllegalArgumentException e) {
            throw new IOException("framer state: " + e.getMessage(), e);
        }
        String sensor = in.readUTF();
        SensorGeometry geometry = new SensorGeometry(in.readInt(), in.readInt());
        Framer f = new Framer(spec, sensor, geometry, in.readLong());
        f.nextWindow = in.readLong();
        f.lastEmittedEndBin = in.readLong();
        int bins = in.readInt();
        if (bins < 0 || bins > f.maxOpenBins) {
            throw new IOException("framer state: " + bins + " open bins, at most " + f.maxOpenBins + " possible");
        }
        for (int b = 0; b < bins; b++) {
            long key = in.readLong();
            Bin bin = new Bin(f.planeSize);
            bin.events = in.readInt();
            int nonZero = in.readInt();
            if (nonZero < 0 || nonZero > f.planeSize) {
                throw new IOException("framer state: bin " + key + " claims " + nonZero + " entries");
            }
            for (int i = 0; i < nonZero; i++) {
                int idx = in.readInt();
                if (idx < 0 || idx >= f.planeSize) {
                    throw new IOException("framer state: bin " + key + " entry " + idx + " out of range");
                }
                bin.plane[idx] = in.readFloat();
            }
            f.open.put(key, bin);
        }
        boolean denoise = in.readBoolean();
        if (denoise != (f.lastFired != null)) {
            throw new IOException("framer state: denoise map presence does not match the spec");
        }
        if (denoise) {
            for (int i = 0; i < f.lastFired.length; i++) {
                f.lastFired[i] = in.readLong();
            }
        }
        return f;
    }
}
