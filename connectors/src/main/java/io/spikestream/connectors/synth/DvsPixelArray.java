package io.spikestream.connectors.synth;

import io.spikestream.connectors.event.EventBatch;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The 128×128 DVS pixels: each remembers the log intensity of its last reset and fires when the
 * present log intensity has moved a threshold away from it.
 *
 * <p>Between two rendered instants the log intensity is taken to change linearly, so each
 * threshold crossing gets its own interpolated timestamp and a large change fires several events.
 * After an event the pixel is held in reset for the refractory period: its memory follows the
 * input and re-arms at the value it has when the period ends, so change during the dead time is
 * lost, as in the real circuit. Background activity and hot pixels are reset events too and obey
 * the same refractory period.
 */
final class DvsPixelArray {
    static final int SIZE = Scene.SIZE;
    private static final int PIXELS = SIZE * SIZE;
    private static final int PIXEL_BITS = 14;

    private final float[] onThreshold = new float[PIXELS];
    private final float[] offThreshold = new float[PIXELS];
    private final float[] memory = new float[PIXELS];
    private final float[] logIntensity = new float[PIXELS];
    private final long[] refractoryEnd = new long[PIXELS];
    private final long refractoryUs;
    private final int[] hotPixels;
    private final double[] hotOnProbability;
    private final double hotPixelHz;
    /** Events of the current step as {@code time << 15 | pixel << 1 | polarity}, sorted on drain. */
    private long[] pending = new long[1024];
    private int pendingCount;
    private long[] noise = new long[64];

    DvsPixelArray(long seed, DvsSettings settings) {
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 4));
        for (int i = 0; i < PIXELS; i++) {
            onThreshold[i] = (float) Math.max(DvsSettings.MIN_THRESHOLD, settings.onThreshold() + settings.thresholdSigma() * r.nextGaussian());
            offThreshold[i] = (float) Math.max(DvsSettings.MIN_THRESHOLD, settings.offThreshold() + settings.thresholdSigma() * r.nextGaussian());
        }
        refractoryUs = settings.refractoryUs();
        hotPixelHz = settings.hotPixelHz();
        hotPixels = r.ints(0, PIXELS).distinct().limit(settings.hotPixels()).toArray();
        hotOnProbability = new double[hotPixels.length];
        for (int k = 0; k < hotPixels.length; k++) {
            // A hot pixel leaks one way: mostly ON or mostly OFF.
            hotOnProbability[k] = r.nextBoolean() ? 0.9 : 0.1;
        }
    }

    /** Pixel indices ({@code y * 128 + x}) of the hot pixels. */
    int[] hotPixels() {
        return hotPixels.clone();
    }

    /** Starts from a still scene: every pixel remembers its present log intensity. */
    void settle(float[] log) {
        System.arraycopy(log, 0, logIntensity, 0, PIXELS);
        System.arraycopy(log, 0, memory, 0, PIXELS);
        Arrays.fill(refractoryEnd, Long.MIN_VALUE);
        pendingCount = 0;
    }

    /**
     * Background activity at {@code baHz} per pixel and the hot pixels' firing in {@code [t0, t1)}.
     * Call before {@link #integrate} for the same step.
     */
    void noise(long t0, long t1, double baHz, SplittableRandom r) {
        double seconds = (t1 - t0) * 1e-6;
        int n = 0;
        int ba = poisson(baHz * PIXELS * seconds, r);
        for (int k = 0; k < ba; k++) {
            n = addNoise(n, t0 + r.nextLong(t1 - t0), r.nextInt(PIXELS), r.nextBoolean() ? 1 : 0);
        }
        for (int h = 0; h < hotPixels.length; h++) {
            int count = poisson(hotPixelHz * seconds, r);
            for (int k = 0; k < count; k++) {
                n = addNoise(n, t0 + r.nextLong(t1 - t0), hotPixels[h], r.nextDouble() < hotOnProbability[h] ? 1 : 0);
            }
        }
        Arrays.sort(noise, 0, n);
        for (int k = 0; k < n; k++) {
            long key = noise[k];
            long t = key >>> (PIXEL_BITS + 1);
            int i = (int) (key >>> 1) & (PIXELS - 1);
            if (t >= refractoryEnd[i]) {
                emit(key);
                refractoryEnd[i] = t + refractoryUs;
                memory[i] = logIntensity[i];
            }
        }
    }

    private int addNoise(int n, long t, int pixel, int polarity) {
        if (n == noise.length) {
            noise = Arrays.copyOf(noise, n * 2);
        }
        noise[n] = key(t, pixel, polarity);
        return n + 1;
    }

    /**
     * Pixel {@code i}'s log intensity moved linearly from its last value at {@code t0} to
     * {@code log1} at {@code t1}: fire every threshold crossing the refractory period allows.
     */
    void integrate(int i, long t0, long t1, float log1) {
        double l0 = logIntensity[i];
        double l1 = log1;
        logIntensity[i] = log1;
        double span = t1 - t0;
        long re = refractoryEnd[i];
        double tc = t0;
        double lc = l0;
        double ref = memory[i];
        if (re > t0) {
            if (re >= t1) {
                memory[i] = log1;
                return;
            }
            tc = re;
            lc = l0 + (l1 - l0) * ((re - t0) / span);
            ref = lc;
        }
        double on = onThreshold[i];
        double off = offThreshold[i];
        while (true) {
            double d = l1 - ref;
            double level;
            int polarity;
            if (d >= on) {
                level = ref + on;
                polarity = 1;
            } else if (d <= -off) {
                level = ref - off;
                polarity = 0;
            } else {
                break;
            }
            double frac = (level - lc) / (l1 - lc);
            frac = frac < 0 ? 0 : frac > 1 ? 1 : frac;
            long te = (long) Math.ceil(tc + frac * (t1 - tc));
            if (te > t1) {
                te = t1;
            }
            emit(key(te, i, polarity));
            re = te + refractoryUs;
            if (re >= t1) {
                ref = l1;
                break;
            }
            tc = re;
            lc = l0 + (l1 - l0) * ((re - t0) / span);
            ref = lc;
        }
        memory[i] = (float) ref;
        refractoryEnd[i] = re;
    }

    /** Appends this step's events to {@code out} in time order (ties by pixel) and forgets them. */
    void drainSorted(EventBatch out) {
        Arrays.sort(pending, 0, pendingCount);
        out.ensureCapacity(out.size() + pendingCount);
        for (int k = 0; k < pendingCount; k++) {
            long key = pending[k];
            int i = (int) (key >>> 1) & (PIXELS - 1);
            out.add(key >>> (PIXEL_BITS + 1), i & (SIZE - 1), i >>> 7, (int) (key & 1));
        }
        pendingCount = 0;
    }

    private void emit(long key) {
        if (pendingCount == pending.length) {
            pending = Arrays.copyOf(pending, pendingCount * 2);
        }
        pending[pendingCount++] = key;
    }

    private static long key(long t, int pixel, int polarity) {
        return t << (PIXEL_BITS + 1) | (long) pixel << 1 | polarity;
    }

    /** Poisson-distributed count; means above 30 are split so {@code exp(-mean)} never underflows. */
    static int poisson(double mean, SplittableRandom r) {
        int n = 0;
        while (mean > 30) {
            n += poissonSmall(30, r);
            mean -= 30;
        }
        return n + poissonSmall(mean, r);
    }

    private static int poissonSmall(double mean, SplittableRandom r) {
        double limit = Math.exp(-mean);
        double prod = r.nextDouble();
        int n = 0;
        while (prod > limit) {
            prod *= r.nextDouble();
            n++;
        }
        return n;
    }
}
