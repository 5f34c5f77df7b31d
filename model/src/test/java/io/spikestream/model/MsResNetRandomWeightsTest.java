package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Properties of {@link MsResNet} that hold for any weights: batching, state reset, argument
 * checks and operation counts, on a random-weight network of the {@code tiny} architecture. No
 * shared file is needed, so these run in every build; {@link MsResNetTest} and
 * {@link MsResNetFixtureTest} compare with the PyTorch reference where it is present.
 */
class MsResNetRandomWeightsTest {
    /** The architecture of the {@code tiny} fixture: conv7 stem with 8 channels, one block per stage 8/16/32/64. */
    static final ModelCard TINY = ModelCard.of(2, 11, new ModelCard.Stem(ModelCard.StemType.CONV7, 8),
            List.of(new ModelCard.Stage(8, 1), new ModelCard.Stage(16, 1), new ModelCard.Stage(32, 1), new ModelCard.Stage(64, 1)),
            ModelCard.Shortcut.CONV);
    static final int K = 4;
    static final int N = 2;
    static final int SIZE = 32;

    static MsResNet net(Precision p) {
        return new MsResNet(TINY, ModelWeights.random(TINY, 5), p);
    }

    /** Event counts 0..3 per pixel, polarity and timestep, as framing produces them: {@code [K, N, 2, 32, 32]}. */
    static INDArray frames(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] v = new double[K * N * 2 * SIZE * SIZE];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(4) == 0 ? rnd.nextInt(1, 4) : 0;
        }
        return Nd4j.create(v, new long[] {K, N, 2, SIZE, SIZE}, DataType.DOUBLE);
    }

    static List<MembraneState> fresh(MsResNet net) {
        List<MembraneState> s = new ArrayList<>();
        for (int n = 0; n < N; n++) {
            s.add(net.newState(SIZE, SIZE));
        }
        return s;
    }

    static long spikes(WindowResult r) {
        long total = 0;
        for (long[][] layer : r.spikeCounts()) {
            for (long[] t : layer) {
                for (long c : t) {
                    total += c;
                }
            }
        }
        return total;
    }

    /** A network whose convolutions on spikes all take {@code path} ({@code dense} or {@code sparse}). */
    static MsResNet forced(Precision p, String path) {
        String before = System.getProperty("spikestream.conv");
        System.setProperty("spikestream.conv", path);
        try {
            return net(p);
        } finally {
            if (before == null) {
                System.clearProperty("spikestream.conv");
            } else {
                System.setProperty("spikestream.conv", before);
            }
        }
    }

    // On one path: the cost model calibrates each batch size on its own, and the dense and the
    // spike-driven path sum in different orders, so a batch of 2 and a batch of 1 that took different
    // paths for a layer would differ in the last bits of float64 without any cross-talk.
    @ParameterizedTest
    @ValueSource(strings = {"dense", "sparse"})
    void samplesOfOneBatchDoNotInfluenceEachOther(String path) {
        MsResNet net = forced(Precision.F64, path);
        INDArray input = frames(1);
        List<MembraneState> both = fresh(net);
        // sample 1 starts from a state that is not fresh: the batch mixes two sensors
        net.forward(input.get(NDArrayIndex.interval(0, 3), NDArrayIndex.interval(1, 2)).dup(), both.subList(1, 2));
        MembraneState sample1Before = both.get(1).copy();
        WindowResult batch = net.forward(input, both);
        assertTrue(spikes(batch) > 0, "the random network spikes, so the comparison means something");
        for (int n = 0; n < N; n++) {
            MembraneState alone = n == 0 ? net.newState(SIZE, SIZE) : sample1Before.copy();
            WindowResult single = net.forward(input.get(NDArrayIndex.all(), NDArrayIndex.interval(n, n + 1)).dup(), List.of(alone));
            for (int c = 0; c < single.logits()[0].length; c++) {
                assertEquals(single.logits()[0][c], batch.logits()[n][c], 1e-12, "sample " + n + " logit " + c);
            }
            for (int l = 0; l < net.lifLayers(); l++) {
                for (int t = 0; t < K; t++) {
                    assertEquals(single.spikeCounts()[l][t][0], batch.spikeCounts()[l][t][n], "L" + l + " t=" + t + " n=" + n);
                }
            }
            assertArrayEquals(alone.toBytes(), both.get(n).toBytes(), "state of sample " + n);
        }
    }

    @Test
    void resetStateBehavesLikeAFreshOne() {
        MsResNet net = net(Precision.F32);
        INDArray input = frames(2);
        List<MembraneState> used = fresh(net);
        net.forward(input, used);
        used.forEach(MembraneState::reset);
        WindowResult again = net.forward(input, used);
        WindowResult fresh = net.forward(input, fresh(net));
        assertArrayEquals(fresh.logits(), again.logits());
    }

    @Test
    void plainFloatFramesGiveTheSameResultAsAnNd4jArray() {
        MsResNet net = net(Precision.F32);
        INDArray input = frames(3);
        WindowResult viaArray = net.forward(input, fresh(net));
        float[] plain = input.castTo(DataType.FLOAT).data().asFloat();
        WindowResult viaFloats = net.forward(plain, K, N, SIZE, SIZE, fresh(net));
        assertArrayEquals(viaArray.logits(), viaFloats.logits());
    }

    @Test
    void mismatchedInputsAreRejectedWithAClearMessage() {
        MsResNet net = net(Precision.F32);
        List<MembraneState> one = new ArrayList<>(List.of(net.newState(SIZE, SIZE)));
        INDArray threeChannels = Nd4j.zeros(DataType.FLOAT, 2, 1, 3, SIZE, SIZE);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(threeChannels, one)).getMessage().contains("3 channels"));
        INDArray two = Nd4j.zeros(DataType.FLOAT, 2, 2, 2, SIZE, SIZE);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(two, one)).getMessage().contains("2 samples but 1"));
        INDArray other = Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 64, 64);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(other, one)).getMessage().contains("does not fit"));
        List<MembraneState> f64 = List.of(net(Precision.F64).newState(SIZE, SIZE));
        INDArray ok = Nd4j.zeros(DataType.FLOAT, 2, 1, 2, SIZE, SIZE);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(ok, f64)).getMessage().contains("F64"));
    }

    @Test
    void operationCountsAndStateSizeEqualTheHandCountForTheTinyArchitecture() {
        MsResNet net = net(Precision.F32);
        // 32x32 input; the first block of every stage has stride 2, so each has a 1x1 conv shortcut.
        // Multiply-accumulates per frame (out channels x out pixels x in channels x kernel area):
        //   stem conv 7x7/2, 2->8, out 16x16:     8*256*2*49               = 200,704
        //   conv2_x.0 8->8,   /2 to 8x8:  3x3 a  8*64*8*9 = 36,864,  3x3 b 8*64*8*9   = 36,864, shortcut 8*64*8  = 4,096
        //   conv3_x.0 8->16,  /2 to 4x4:  3x3 a 16*16*8*9 = 18,432,  3x3 b 16*16*16*9 = 36,864, shortcut 16*16*8 = 2,048
        //   conv4_x.0 16->32, /2 to 2x2:  3x3 a 32*4*16*9 = 18,432,  3x3 b 32*4*32*9  = 36,864, shortcut 32*4*16 = 2,048
        //   conv5_x.0 32->64, /2 to 1x1:  3x3 a 64*1*32*9 = 18,432,  3x3 b 64*64*9    = 36,864, shortcut 64*32   = 2,048
        //   fc 64 -> 11: 704
        // flops = 2 x (239,616 in the 3x3 convs + 210,944 in stem and shortcuts + 704 in fc) = 902,528
        assertEquals(902_528.0, net.flopsPerFrame(SIZE, SIZE));
        // LIF layers: the input of each 3x3 conv, and the head's
        int[][] shapes = {{8, 16, 16}, {8, 8, 8}, {8, 8, 8}, {16, 4, 4}, {16, 4, 4}, {32, 2, 2}, {32, 2, 2}, {64, 1, 1}, {64, 1, 1}};
        assertArrayEquals(shapes, net.lifShapes(SIZE, SIZE));
        // state: 8-byte header + 6 bytes per layer, then per layer 4 bytes (f32) per neuron and one bit per neuron:
        // 3,968 neurons -> 8 + 54 + 15,872 + 496 = 16,430
        assertEquals(16_430, net.newState(SIZE, SIZE).serializedBytes());
    }
}
