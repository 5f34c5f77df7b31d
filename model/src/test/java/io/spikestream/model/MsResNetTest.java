package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Batching, kernels, statistics and argument checks of {@link MsResNet}, on the tiny fixture. */
class MsResNetTest {

    private static MsResNetFixtureTest.Io tiny() throws IOException {
        return MsResNetFixtureTest.Io.open("tiny");
    }

    @Test
    void samplesOfOneBatchDoNotInfluenceEachOther() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet net = MsResNetFixtureTest.model("tiny", Precision.F64);
        INDArray input = io.input(0, io.steps());
        List<MembraneState> both = MsResNetFixtureTest.fresh(net, io);
        // sample 1 starts from a state that is not fresh: the batch mixes two sensors
        net.forward(input.get(NDArrayIndex.interval(0, 3), NDArrayIndex.interval(1, 2)).dup(), both.subList(1, 2));
        MembraneState sample1Before = both.get(1).copy();
        WindowResult batch = net.forward(input, both);
        for (int n = 0; n < 2; n++) {
            MembraneState alone = n == 0 ? net.newState(32, 32) : sample1Before.copy();
            WindowResult single = net.forward(input.get(NDArrayIndex.all(), NDArrayIndex.interval(n, n + 1)).dup(), List.of(alone));
            for (int c = 0; c < single.logits()[0].length; c++) {
                assertEquals(single.logits()[0][c], batch.logits()[n][c], 1e-12, "sample " + n + " logit " + c);
            }
            for (int l = 0; l < net.lifLayers(); l++) {
                for (int t = 0; t < io.steps(); t++) {
                    assertEquals(single.spikeCounts()[l][t][0], batch.spikeCounts()[l][t][n]);
                }
            }
        }
    }

    @Test
    void portableNd4jLifKernelComputesTheSameAsTheHostKernel() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet host = MsResNetFixtureTest.model("tiny", Precision.F64);
        MsResNet portable;
        System.setProperty("spikestream.lif", "nd4j");
        try {
            portable = MsResNetFixtureTest.load("tiny", Precision.F64);
        } finally {
            System.clearProperty("spikestream.lif");
        }
        List<MembraneState> a = MsResNetFixtureTest.fresh(host, io);
        List<MembraneState> b = MsResNetFixtureTest.fresh(portable, io);
        WindowResult ra = host.forward(io.input(0, io.steps()), a);
        WindowResult rb = portable.forward(io.input(0, io.steps()), b);
        assertArrayEquals(ra.logits(), rb.logits());
        for (int n = 0; n < io.batch(); n++) {
            assertArrayEquals(a.get(n).toBytes(), b.get(n).toBytes());
        }
        MsResNetFixtureTest.assertSpikeCounts(io, rb, 0);
    }

    @Test
    void gemmConvolutionsAgreeWithNd4jConv2d() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        for (Precision p : Precision.values()) {
            MsResNet conv2d = MsResNetFixtureTest.model("tiny", p);
            MsResNet gemm;
            System.setProperty("spikestream.gemm.maxPixels", "256");
            try {
                gemm = MsResNetFixtureTest.load("tiny", p);
            } finally {
                System.clearProperty("spikestream.gemm.maxPixels");
            }
            java.util.Map<String, INDArray> a = new java.util.HashMap<>();
            java.util.Map<String, INDArray> b = new java.util.HashMap<>();
            WindowResult ra = gemm.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(gemm, io), (n, v) -> a.put(n, v.dup()));
            WindowResult rb = conv2d.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(conv2d, io), (n, v) -> b.put(n, v.dup()));
            double tol = p == Precision.F64 ? 1e-12 : 1e-5;
            for (String name : a.keySet()) {
                MsResNetFixtureTest.assertClose(b.get(name), a.get(name), tol, p + " " + name);
            }
            MsResNetFixtureTest.assertClose(MsResNetFixtureTest.logits(rb), MsResNetFixtureTest.logits(ra), tol, p + " logits");
            MsResNetFixtureTest.assertSpikeCounts(io, ra, 0);
            MsResNetFixtureTest.assertSpikeCounts(io, rb, 0);
        }
    }

    @Test
    void plainFloatFramesGiveTheSameResultAsAnNd4jArray() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet net = MsResNetFixtureTest.model("tiny", Precision.F32);
        INDArray input = io.input(0, io.steps());
        WindowResult viaArray = net.forward(input, MsResNetFixtureTest.fresh(net, io));
        float[] plain = input.castTo(DataType.FLOAT).data().asFloat();
        WindowResult viaFloats = net.forward(plain, io.steps(), io.batch(), 32, 32, MsResNetFixtureTest.fresh(net, io));
        assertArrayEquals(viaArray.logits(), viaFloats.logits());
    }

    @Test
    void resetStateBehavesLikeAFreshOne() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet net = MsResNetFixtureTest.model("tiny", Precision.F32);
        List<MembraneState> used = MsResNetFixtureTest.fresh(net, io);
        net.forward(io.input(0, io.steps()), used);
        used.forEach(MembraneState::reset);
        WindowResult again = net.forward(io.input(0, io.steps()), used);
        WindowResult fresh = net.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(net, io));
        assertArrayEquals(fresh.logits(), again.logits());
    }

    @Test
    void statisticsAgreeWithTheReferenceSpikeRatesAndTheEnergyModel() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet net = MsResNetFixtureTest.model("tiny", Precision.F64);
        WindowResult r = net.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(net, io));
        JsonNode summary = new ObjectMapper().readTree(Fixtures.file("summary.json").toFile()).get("tiny");
        JsonNode rates = summary.get("spike_rates");
        assertEquals(net.lifLayers(), rates.size());
        for (int l = 0; l < net.lifLayers(); l++) {
            double mean = 0;
            for (WindowStats s : r.stats()) {
                mean += s.spikeRate()[l] / r.batch();
            }
            assertEquals(rates.get(l).asDouble(), mean, 5e-5, "spike rate of L" + l);
        }
        int[][] shapes = net.lifShapes(32, 32);
        for (int n = 0; n < r.batch(); n++) {
            long spikes = 0;
            long neurons = 0;
            for (int l = 0; l < net.lifLayers(); l++) {
                neurons += (long) shapes[l][0] * shapes[l][1] * shapes[l][2];
                for (int t = 0; t < r.steps(); t++) {
                    spikes += r.spikeCounts()[l][t][n];
                }
            }
            WindowStats s = r.stats().get(n);
            assertEquals((double) spikes / neurons, s.spikesPerNeuron(), 1e-12);
            assertTrue(s.synapticOps() > 0 && s.macs() > 0);
            assertEquals(0.9e-12 * s.synapticOps() + 4.6e-12 * s.macs(), s.energyJoules(), 1e-24);
            // spikes are sparse, so accumulates stay below the dense count of the spike-fed convs
            assertTrue(s.synapticOps() < r.steps() * net.flopsPerFrame(32, 32) / 2);
        }
    }

    @Test
    void mismatchedInputsAreRejectedWithAClearMessage() throws IOException {
        MsResNet net = MsResNetFixtureTest.model("tiny", Precision.F32);
        List<MembraneState> one = new ArrayList<>(List.of(net.newState(32, 32)));
        INDArray threeChannels = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 2, 1, 3, 32, 32);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(threeChannels, one)).getMessage().contains("3 channels"));
        INDArray two = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 2, 2, 2, 32, 32);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(two, one)).getMessage().contains("2 samples but 1"));
        INDArray other = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 64, 64);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(other, one)).getMessage().contains("does not fit"));
        List<MembraneState> f64 = List.of(MsResNetFixtureTest.model("tiny", Precision.F64).newState(32, 32));
        INDArray ok = org.nd4j.linalg.factory.Nd4j.zeros(DataType.FLOAT, 2, 1, 2, 32, 32);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> net.forward(ok, f64)).getMessage().contains("F64"));
    }

    @Test
    void smallerBatchesRunOnViewsOfTheLargestBuffersAndCloseFreesThem() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        MsResNet viewed = MsResNetFixtureTest.load("tiny", Precision.F64); // own instances: this test closes them
        MsResNet direct = MsResNetFixtureTest.load("tiny", Precision.F64);
        INDArray input = io.input(0, io.steps());
        viewed.forward(input, MsResNetFixtureTest.fresh(viewed, io)); // batch 2 sizes the buffers
        long bytes = viewed.bufferBytes();
        INDArray one = input.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)).dup();
        WindowResult onView = viewed.forward(one, List.of(viewed.newState(32, 32)));
        WindowResult alone = direct.forward(one, List.of(direct.newState(32, 32)));
        assertArrayEquals(alone.logits()[0], onView.logits()[0], 1e-12);
        assertEquals(bytes, viewed.bufferBytes(), "a smaller batch must not allocate buffers of its own");
        viewed.forward(input, MsResNetFixtureTest.fresh(viewed, io)); // back to batch 2: still the same buffers
        assertEquals(bytes, viewed.bufferBytes());
        viewed.close();
        direct.close();
    }
}
