package io.spikestream.model.train;

import java.util.Random;

/**
 * A view of labelled samples whose timesteps are permuted, one seeded permutation per sample.
 *
 * <p>It answers whether a model uses temporal order: the frames keep every event, only their
 * order in time changes, so a classifier that needs the direction of a motion (clockwise vs
 * counter-clockwise) falls to chance between such classes while order-free cues survive.
 */
public final class TimeShuffledData implements TrainingData {
    private final TrainingData data;
    private final long seed;

    public TimeShuffledData(TrainingData data, long seed) {
        this.data = data;
        this.seed = seed;
    }

    @Override
    public int size() {
        return data.size();
    }

    @Override
    public int label(int index) {
        return data.label(index);
    }

    @Override
    public float[] frames(int index) {
        float[] in = data.frames(index);
        int steps = data.timesteps();
        int frame = in.length / steps;
        int[] order = permutation(steps, new Random(seed * 1_000_003L + index));
        float[] out = new float[in.length];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(in, order[t] * frame, out, t * frame, frame);
        }
        return out;
    }

    /** A uniformly random permutation of {@code 0..n-1} (Fisher–Yates). */
    static int[] permutation(int n, Random random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    @Override
    public int timesteps() {
        return data.timesteps();
    }

    @Override
    public int channels() {
        return data.channels();
    }

    @Override
    public int height() {
        return data.height();
    }

    @Override
    public int width() {
        return data.width();
    }
}
