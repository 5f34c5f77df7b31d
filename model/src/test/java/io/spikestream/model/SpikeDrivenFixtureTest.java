package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reference fixtures with every convolution on spikes forced onto one path: spike-driven
 * ({@link SpikeConv}) and dense (ND4J conv2d). Together with the default (cost-model) runs of
 * {@link MsResNetFixtureTest}, this shows that whatever path each layer takes, float64 matches
 * every tensor to 1e-9 and float32 reproduces every spike, in whole, chunked and resumed runs.
 */
class SpikeDrivenFixtureTest {

    @ParameterizedTest
    @CsvSource({"tiny,sparse", "tiny104,sparse", "ms18-64,sparse", "tiny,dense", "tiny104,dense"})
    void float64MatchesEveryReferenceTensorOnTheForcedPath(String fixture, String path) throws IOException {
        MsResNet net = MsResNetFixtureTest.forced(fixture, Precision.F64, path);
        MsResNetFixtureTest.checkWholeSequence(fixture, net);
        MsResNetFixtureTest.checkChunkedAndResumed(fixture, net);
        for (LayerTiming t : net.layerTimings()) {
            if (t.kind().equals("conv-spikes")) {
                assertEquals(path, t.path(), t.name());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny104", "ms18-64"})
    void float32ReproducesEverySpikeOnTheSpikeDrivenPath(String fixture) throws IOException {
        MsResNetFixtureTest.checkFloat32(fixture, MsResNetFixtureTest.forced(fixture, Precision.F32, "sparse"));
    }

    /**
     * ND4J's conv on one OpenMP thread (the cost model picks that for small layers): float32 reproduces
     * every spike and float64 every tensor, as on the default threads.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny104"})
    void theDensePathOnOneNd4jThreadIsExactToo(String fixture) throws IOException {
        System.setProperty("spikestream.nd4j.threads", "1");
        MsResNet f32;
        MsResNet f64;
        try {
            f32 = MsResNetFixtureTest.forced(fixture, Precision.F32, "dense");
            f64 = MsResNetFixtureTest.forced(fixture, Precision.F64, "dense");
        } finally {
            System.clearProperty("spikestream.nd4j.threads");
        }
        MsResNetFixtureTest.checkFloat32(fixture, f32);
        MsResNetFixtureTest.checkWholeSequence(fixture, f64);
        MsResNetFixtureTest.checkChunkedAndResumed(fixture, f64);
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F64"})
    void layerTimingsReportEveryLayerAndTheReferenceSpikeDensity(String precision) throws IOException {
        String fixture = "tiny";
        MsResNetFixtureTest.Io io = MsResNetFixtureTest.Io.open(fixture);
        MsResNet net = MsResNetFixtureTest.load(fixture, Precision.valueOf(precision));
        net.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(net, io));
        net.resetLayerTimings();
        net.forward(io.input(0, io.steps()), MsResNetFixtureTest.fresh(net, io));
        List<LayerTiming> timings = net.layerTimings();
        // tiny: conv1, 4 blocks x (lif, conv, lif, conv, shortcut), mem_update, fc
        assertEquals(1 + 4 * 5 + 2, timings.size(), timings.toString());
        assertEquals("conv1", timings.get(0).name());
        assertEquals("conv2_x.0.residual_function.1", timings.get(2).name());
        assertEquals("mem_update", timings.get(timings.size() - 2).name());
        int[][] shapes = net.lifShapes(32, 32);
        for (LayerTiming t : timings) {
            assertEquals(1, t.calls(), t.name());
            assertTrue(t.millis() >= 0, t.name());
            if (!t.kind().equals("conv-spikes")) {
                continue;
            }
            // input density from the reference spike counts of the LIF layer that feeds the conv
            String block = t.name().substring(0, t.name().indexOf(".residual_function"));
            int b = List.of("conv2_x.0", "conv3_x.0", "conv4_x.0", "conv5_x.0").indexOf(block);
            int lif = 2 * b + (t.name().endsWith(".1") ? 0 : 1);
            long spikes = 0;
            for (long v : io.file().longs("spike_count." + ModelCard.lifLabel(lif))) {
                spikes += v;
            }
            double neurons = (double) shapes[lif][0] * shapes[lif][1] * shapes[lif][2] * io.steps() * io.batch();
            assertEquals(spikes / neurons, t.inputDensity(), 1e-12, t.name());
            assertTrue(t.breakEvenDensity() >= 0, t.name() + " break-even " + t.breakEvenDensity());
            assertEquals(t.inputDensity() < t.breakEvenDensity() ? "sparse" : "dense", t.path(), t.name() + " " + t);
        }
    }
}
