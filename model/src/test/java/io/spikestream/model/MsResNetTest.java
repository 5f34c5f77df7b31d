package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Kernels and statistics of {@link MsResNet} on the {@code tiny} reference fixture (skipped without
 * {@code ../shared}); what holds for any weights is in {@link MsResNetRandomWeightsTest}.
 */
class MsResNetTest {

    private static MsResNetFixtureTest.Io tiny() throws IOException {
        return MsResNetFixtureTest.Io.open("tiny");
    }

    @Test
    void portableNd4jLifKernelComputesTheSameAsTheHostKernel() throws IOException {
        MsResNetFixtureTest.Io io = tiny();
        // both on the dense conv path: two instances calibrate separately and might pick different paths
        MsResNet host = MsResNetFixtureTest.forced("tiny", Precision.F64, "dense");
        MsResNet portable;
        System.setProperty("spikestream.lif", "nd4j");
        try {
            portable = MsResNetFixtureTest.forced("tiny", Precision.F64, "dense");
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
        // Independent of the code under test: the reference spike counts of the fixture and the
        // operation counts of the tiny architecture at 32x32 counted by hand (MsResNetRandomWeightsTest):
        // each spike of LIF layer l feeds (out channels x 3x3 / stride^2) accumulates of the conv after it
        // (the head LIF feeds fc, counted as MACs); stem and shortcuts do 210,944 MACs per frame, fc 704 per window.
        double[] accumulatesPerSpike = {18, 72, 36, 144, 72, 288, 144, 576, 0};
        long neurons = 2048 + 2 * 512 + 2 * 256 + 2 * 128 + 2 * 64;
        for (int n = 0; n < r.batch(); n++) {
            long spikes = 0;
            double synapticOps = 0;
            for (int l = 0; l < net.lifLayers(); l++) {
                long[] reference = io.file().longs("spike_count." + ModelCard.lifLabel(l));
                for (int t = 0; t < r.steps(); t++) {
                    long c = reference[t * r.batch() + n];
                    spikes += c;
                    synapticOps += c * accumulatesPerSpike[l];
                }
            }
            double macs = 210_944.0 * r.steps() + 704;
            double joules = 0.9e-12 * synapticOps + 4.6e-12 * macs;
            WindowStats s = r.stats().get(n);
            assertEquals((double) spikes / neurons, s.spikesPerNeuron(), 1e-12, "sample " + n);
            assertEquals(synapticOps, s.synapticOps(), 1e-9 * synapticOps, "sample " + n);
            assertEquals(macs, s.macs(), 0, "sample " + n);
            assertEquals(joules, s.energyJoules(), 1e-9 * joules, "sample " + n);
            // spikes are sparse, so accumulates stay below the dense count of the spike-fed convs
            assertTrue(s.synapticOps() > 0 && s.synapticOps() < r.steps() * 239_616.0, "sample " + n);
        }
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
