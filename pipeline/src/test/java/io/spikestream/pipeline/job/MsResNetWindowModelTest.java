package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelFile;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import io.spikestream.pipeline.framing.FramingSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The window model reuses one membrane state per batch slot and one set of network buffers for
 * batches of every size; this checks that what it returns is what a network given a new state
 * object per sensor per window computes, over batches of varying size, fresh and carried states.
 */
class MsResNetWindowModelTest {
    private static final int BINS = 3;
    private static final int SIZE = 16;

    @TempDir
    Path dir;

    private static float[] window(SplittableRandom rnd) {
        float[] f = new float[BINS * 2 * SIZE * SIZE];
        for (int i = 0; i < f.length; i++) {
            f[i] = rnd.nextDouble() < 0.2 ? 1 + rnd.nextInt(2) : 0;
        }
        return f;
    }

    @Test
    void reusedStatesAndBuffersGiveWhatNewStatesPerWindowGive() throws Exception {
        reuseMatchesNewStatesPerWindow(false);
    }

    /** Preparing every batch size up front (as the classifier does when it opens) leaves nothing behind. */
    @Test
    void aPreparedModelGivesWhatAnUnpreparedOneGives() throws Exception {
        reuseMatchesNewStatesPerWindow(true);
    }

    private void reuseMatchesNewStatesPerWindow(boolean prepare) throws Exception {
        FramingSpec spec = FramingSpec.tumbling(1000, BINS, SIZE, SIZE, new SensorGeometry(SIZE, SIZE));
        ModelFile file = ModelFile.read(TestModels.tiny(dir.resolve("m.safetensors"), spec, 3));
        MsResNet reference = new MsResNet(file.card(), file.weights(), Precision.F32);
        int sensors = 5;
        byte[][] modelStates = new byte[sensors][];
        byte[][] referenceStates = new byte[sensors][];
        SplittableRandom rnd = new SplittableRandom(7);
        int next = 0;
        try (MsResNetWindowModel model = new MsResNetWindowModel(file, "t")) {
            if (prepare) {
                model.prepare(4, BINS, SIZE, SIZE);
            }
            for (int round = 0; round < 12; round++) {
                int n = 1 + rnd.nextInt(4); // batches of 1..4 windows, as the classifier's vary
                List<float[]> frames = new ArrayList<>();
                List<byte[]> states = new ArrayList<>();
                int[] who = new int[n];
                for (int i = 0; i < n; i++) {
                    who[i] = next;
                    next = (next + 1) % sensors;
                    frames.add(window(rnd));
                    if (rnd.nextInt(6) == 0) { // a sensor back from a silence starts fresh
                        modelStates[who[i]] = null;
                        referenceStates[who[i]] = null;
                    }
                    states.add(modelStates[who[i]]);
                }
                List<WindowModel.Result> got = model.forward(frames, BINS, SIZE, SIZE, states);
                for (int i = 0; i < n; i++) {
                    // the reference: this sensor alone, a new state object from its bytes
                    MembraneState st = referenceStates[who[i]] == null ? reference.newState(SIZE, SIZE)
                            : MembraneState.fromBytes(referenceStates[who[i]]);
                    WindowResult r = reference.forward(frames.get(i), BINS, 1, SIZE, SIZE, List.of(st));
                    float[] expected = new float[r.logits()[0].length];
                    for (int c = 0; c < expected.length; c++) {
                        expected[c] = (float) r.logits()[0][c];
                    }
                    assertArrayEquals(expected, got.get(i).logits(), 1e-4f, "round " + round + ", sample " + i);
                    referenceStates[who[i]] = st.toBytes();
                    modelStates[who[i]] = got.get(i).state();
                    assertEquals(referenceStates[who[i]].length, modelStates[who[i]].length);
                }
            }
            byte[] otherShape = new MsResNet(file.card(), file.weights(), Precision.F32).newState(32, 32).toBytes();
            assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(window(rnd)), BINS, SIZE, SIZE, java.util.Collections.singletonList(otherShape)));
        }
        reference.close();
    }
}
