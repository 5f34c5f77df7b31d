package io.spikestream.connectors.synth;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Simulates DVS128 Gesture-like recordings: a synthetic user performs the eleven gestures under a
 * lighting, the scene is rendered as log intensity at a time step short enough that nothing moves
 * more than half a pixel per step, and a DVS pixel model turns the intensity into events.
 *
 * <p>Everything is a function of (seed, user, lighting): the same arguments give the same events,
 * bit for bit, on the same JVM. Instances are immutable and may be shared between threads.
 */
public final class GestureSimulator {
    public static final SensorGeometry GEOMETRY = new SensorGeometry(Scene.SIZE, Scene.SIZE);

    /** Longest time step, used while nothing moves. */
    static final long MAX_STEP_US = 5_000;
    /** Shortest time step, bounding the work for the fastest motion. */
    static final long MIN_STEP_US = 100;
    /** Largest displacement of any limb point in one step, in pixels. */
    static final double MAX_STEP_PIXELS = 0.5;
    private static final int CHUNK_EVENTS = 1 << 16;

    private final long seed;
    private final DvsSettings dvs;

    public GestureSimulator(long seed, DvsSettings dvs) {
        this.seed = seed;
        this.dvs = dvs;
    }

    public GestureSimulator(long seed) {
        this(seed, DvsSettings.DVS128);
    }

    public long seed() {
        return seed;
    }

    /** The takes and label spans of one user's recording under one lighting. */
    public RecordingPlan plan(int user, Lighting lighting, int repetitions) {
        return plan(user, lighting, repetitions, EnumSet.allOf(Gesture.class));
    }

    /** Like {@link #plan(int, Lighting, int)} with only some gestures (short recordings for tests and demos). */
    public RecordingPlan plan(int user, Lighting lighting, int repetitions, Set<Gesture> gestures) {
        return Choreography.plan(seed, user, lighting, repetitions, gestures);
    }

    /** Pixel indices ({@code y * 128 + x}) of the camera's hot pixels (the same for every recording). */
    public int[] hotPixels() {
        return new DvsPixelArray(seed, dvs).hotPixels();
    }

    /** Simulates a planned recording and streams its events, in time order, into {@code sink}. */
    public void simulate(RecordingPlan plan, EventSink sink) throws IOException {
        if (plan.seed() != seed) {
            throw new IllegalArgumentException("plan made with seed " + plan.seed() + ", simulator has seed " + seed);
        }
        Choreography body = new Choreography(plan);
        Scene scene = new Scene(plan, body);
        DvsPixelArray pixels = new DvsPixelArray(seed, dvs);
        SplittableRandom noise = new SplittableRandom(Seeds.derive(seed, 5, plan.user().user(), plan.lighting().seedKey()));
        double baHz = plan.lighting().backgroundActivityHz();
        int size = Scene.SIZE;

        double[] cur = new double[Choreography.POSE_LENGTH];
        double[] next = new double[Choreography.POSE_LENGTH];
        body.pose(0, cur);
        float[] log = new float[size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                log[y * size + x] = (float) scene.logIntensity(x, y, cur);
            }
        }
        pixels.settle(log);

        int[] stamp = new int[size * size];
        int[] dirty = new int[size * size];
        int step = 0;
        EventBatch out = new EventBatch(CHUNK_EVENTS + 4096);
        long t0 = 0;
        long end = plan.durationUs();
        while (t0 < end) {
            long t1 = Math.min(end, t0 + MAX_STEP_US);
            body.pose(t1, next);
            double moved = maxDisplacement(cur, next);
            if (moved > MAX_STEP_PIXELS) {
                long dt = Math.max(MIN_STEP_US, (long) ((t1 - t0) * MAX_STEP_PIXELS / moved));
                t1 = Math.min(end, t0 + dt);
                body.pose(t1, next);
            }
            step++;
            int nDirty = markDirty(cur, next, stamp, step, dirty);
            pixels.noise(t0, t1, baHz, noise);
            for (int k = 0; k < nDirty; k++) {
                int i = dirty[k];
                pixels.integrate(i, t0, t1, (float) scene.logIntensity(i & (size - 1), i >>> 7, next));
            }
            pixels.drainSorted(out);
            if (out.size() >= CHUNK_EVENTS) {
                sink.accept(out);
                out.clear();
            }
            double[] swap = cur;
            cur = next;
            next = swap;
            t0 = t1;
        }
        if (!out.isEmpty()) {
            sink.accept(out);
            out.clear();
        }
    }

    /** Simulates a planned recording into memory (for tests and short recordings). */
    public EventBatch simulate(RecordingPlan plan) {
        EventBatch all = new EventBatch(1 << 16);
        try {
            simulate(plan, chunk -> all.addAll(chunk, 0, chunk.size()));
        } catch (IOException e) {
            throw new IllegalStateException("in-memory sink cannot fail", e);
        }
        return all;
    }

    private static double maxDisplacement(double[] a, double[] b) {
        double m = 0;
        for (int o = 0; o < Choreography.POSE_LENGTH; o += Choreography.STRIDE) {
            m = Math.max(m, Math.hypot(a[o] - b[o], a[o + 1] - b[o + 1]));
            m = Math.max(m, Math.hypot(a[o + 2] - b[o + 2], a[o + 3] - b[o + 3]));
        }
        return m;
    }

    /**
     * Collects the pixels whose image may differ between the two poses: those a moved capsule
     * touches in its old or its new place. Everything else is unchanged and costs nothing.
     */
    private static int markDirty(double[] a, double[] b, int[] stamp, int step, int[] dirty) {
        int n = 0;
        int last = Scene.SIZE - 1;
        for (int o = 0; o < Choreography.POSE_LENGTH; o += Choreography.STRIDE) {
            if (a[o] == b[o] && a[o + 1] == b[o + 1] && a[o + 2] == b[o + 2] && a[o + 3] == b[o + 3] && a[o + 4] == b[o + 4]) {
                continue;
            }
            // Coverage is zero from radius + 0.5 outwards; the extra half pixel is a safety margin.
            double reachA = a[o + 4] + 1;
            double reachB = b[o + 4] + 1;
            double r = Math.max(reachA, reachB);
            int x0 = Math.max(0, (int) Math.floor(min4(a[o], a[o + 2], b[o], b[o + 2]) - r));
            int x1 = Math.min(last, (int) Math.ceil(max4(a[o], a[o + 2], b[o], b[o + 2]) + r));
            int y0 = Math.max(0, (int) Math.floor(min4(a[o + 1], a[o + 3], b[o + 1], b[o + 3]) - r));
            int y1 = Math.min(last, (int) Math.ceil(max4(a[o + 1], a[o + 3], b[o + 1], b[o + 3]) + r));
            for (int y = y0; y <= y1; y++) {
                double py = y + 0.5;
                for (int x = x0, i = y * Scene.SIZE + x0; x <= x1; x++, i++) {
                    if (stamp[i] == step) {
                        continue;
                    }
                    double px = x + 0.5;
                    if (Scene.distanceToSegment(px, py, a[o], a[o + 1], a[o + 2], a[o + 3]) < reachA
                            || Scene.distanceToSegment(px, py, b[o], b[o + 1], b[o + 2], b[o + 3]) < reachB) {
                        stamp[i] = step;
                        dirty[n++] = i;
                    }
                }
            }
        }
        return n;
    }

    private static double min4(double a, double b, double c, double d) {
        return Math.min(Math.min(a, b), Math.min(c, d));
    }

    private static double max4(double a, double b, double c, double d) {
        return Math.max(Math.max(a, b), Math.max(c, d));
    }
}
