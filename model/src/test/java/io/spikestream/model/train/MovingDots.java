package io.spikestream.model.train;

import java.util.SplittableRandom;

/**
 * A tiny labelled event-frame set for training tests: a dot moves across a small field in one
 * of four directions (the class), leaving ON events ahead and OFF events behind, with
 * background noise. The direction shows in the order of the frames and, within one frame, in
 * which side fires ON: an easy task, for checking that training learns at all.
 */
final class MovingDots {
    private MovingDots() {}

    static InMemoryData generate(int samples, int timesteps, int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        InMemoryData data = new InMemoryData(timesteps, 2, size, size);
        int[][] dirs = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int s = 0; s < samples; s++) {
            int label = s % dirs.length;
            float[] f = new float[timesteps * 2 * size * size];
            double x = size / 2.0 + rng.nextDouble(-2, 2);
            double y = size / 2.0 + rng.nextDouble(-2, 2);
            double speed = rng.nextDouble(0.6, 1.2);
            x -= dirs[label][0] * speed * timesteps / 2.0;
            y -= dirs[label][1] * speed * timesteps / 2.0;
            for (int t = 0; t < timesteps; t++) {
                double nx = x + dirs[label][0] * speed;
                double ny = y + dirs[label][1] * speed;
                put(f, t, 0, nx, ny, size);
                put(f, t, 1, x, y, size);
                for (int k = 0; k < size * size / 20; k++) {
                    int p = rng.nextInt(2);
                    f[(t * 2 + p) * size * size + rng.nextInt(size * size)] += 1;
                }
                x = nx;
                y = ny;
            }
            data.add(f, label);
        }
        return data;
    }

    private static void put(float[] f, int t, int polarity, double x, double y, int size) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int px = (int) Math.round(x) + dx;
                int py = (int) Math.round(y) + dy;
                if (px >= 0 && py >= 0 && px < size && py < size) {
                    f[((t * 2 + polarity) * size + py) * size + px] += 1;
                }
            }
        }
    }
}
