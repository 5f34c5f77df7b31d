package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TimeShuffledDataTest {
    /** Two samples of 6 timesteps, 1 channel, 1x2 pixels; frame t of sample i holds (10 i + t). */
    private static final TrainingData ORDERED = new TrainingData() {
        @Override public int size() { return 2; }
        @Override public int label(int index) { return index + 3; }
        @Override public float[] frames(int index) {
            float[] f = new float[12];
            for (int t = 0; t < 6; t++) {
                f[2 * t] = 10 * index + t;
                f[2 * t + 1] = 10 * index + t;
            }
            return f;
        }
        @Override public int timesteps() { return 6; }
        @Override public int channels() { return 1; }
        @Override public int height() { return 1; }
        @Override public int width() { return 2; }
    };

    @Test
    void keepsEveryFrameAndLabelButReordersTime() {
        TimeShuffledData shuffled = new TimeShuffledData(ORDERED, 7);
        for (int i = 0; i < 2; i++) {
            float[] in = ORDERED.frames(i);
            float[] out = shuffled.frames(i);
            assertEquals(ORDERED.label(i), shuffled.label(i));
            float[] a = in.clone();
            float[] b = out.clone();
            Arrays.sort(a);
            Arrays.sort(b);
            assertArrayEquals(a, b, "the same frames, only in another order");
            for (int t = 0; t < 6; t++) {
                assertEquals(out[2 * t], out[2 * t + 1], "whole frames move, pixels stay together");
            }
        }
        assertFalse(Arrays.equals(ORDERED.frames(0), shuffled.frames(0)) && Arrays.equals(ORDERED.frames(1), shuffled.frames(1)),
                "at least one sample's order changes");
    }

    @Test
    void isDeterministicForASeedAndDiffersBetweenSeeds() {
        assertArrayEquals(new TimeShuffledData(ORDERED, 7).frames(1), new TimeShuffledData(ORDERED, 7).frames(1));
        boolean differs = false;
        for (long seed = 1; seed < 20 && !differs; seed++) {
            differs = !Arrays.equals(new TimeShuffledData(ORDERED, 7).frames(1), new TimeShuffledData(ORDERED, seed + 7).frames(1));
        }
        assertEquals(true, differs);
    }
}
