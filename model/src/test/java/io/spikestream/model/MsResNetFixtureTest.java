package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.safetensors.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The network against the PyTorch reference tensors of ../shared/fixtures/msresnet: float64 to
 * 1e-9 (max-norm relative error of each tensor), float32 with identical spikes and logits to 1e-4.
 */
class MsResNetFixtureTest {
    static final double F64_TOLERANCE = 1e-9;

    /** The io tensors of one fixture. */
    record Io(SafeTensors file, int steps, int batch, int layers) {
        static Io open(String fixture) throws IOException {
            SafeTensors st = SafeTensors.open(Fixtures.file(fixture + ".io.safetensors"));
            long[] s = st.info("input").shape();
            int layers = (int) st.tensors().keySet().stream().filter(n -> n.startsWith("spike_count.")).count();
            return new Io(st, (int) s[0], (int) s[1], layers);
        }

        INDArray get(String name) throws IOException {
            return file.array(name, DataType.DOUBLE);
        }

        INDArray input(int from, int to) throws IOException {
            return get("input").get(NDArrayIndex.interval(from, to)).dup('c');
        }

        /** States of all samples from tensors {@code prefix.Lxx.u/s} ([N, C, H, W]). */
        List<MembraneState> states(MsResNet net, String prefix) throws IOException {
            long[] in = file.info("input").shape();
            List<MembraneState> out = new ArrayList<>();
            for (int n = 0; n < batch; n++) {
                MembraneState st = net.newState((int) in[3], (int) in[4]);
                for (int l = 0; l < layers; l++) {
                    st.u(l).assign(get(prefix + "." + ModelCard.lifLabel(l) + ".u").slice(n));
                    st.s(l).assign(get(prefix + "." + ModelCard.lifLabel(l) + ".s").slice(n));
                }
                out.add(st);
            }
            return out;
        }
    }

    private static final Map<String, MsResNet> MODELS = new java.util.HashMap<>();

    /** Networks keep no per-sample state, so one instance per fixture and precision serves every test. */
    static synchronized MsResNet model(String fixture, Precision p) throws IOException {
        String key = fixture + "/" + p;
        MsResNet net = MODELS.get(key);
        if (net == null) {
            net = load(fixture, p);
            MODELS.put(key, net);
        }
        return net;
    }

    static MsResNet load(String fixture, Precision p) throws IOException {
        Path f32 = Fixtures.msresnet().resolve(fixture + ".weights.f32.safetensors");
        Path weights = p == Precision.F32 && Files.exists(f32) ? f32 : Fixtures.file(fixture + ".weights.safetensors");
        return MsResNet.load(weights, Fixtures.file(fixture + ".card.json"), p);
    }

    static List<MembraneState> fresh(MsResNet net, Io io) throws IOException {
        long[] in = io.file().info("input").shape();
        List<MembraneState> states = new ArrayList<>();
        for (int n = 0; n < io.batch(); n++) {
            states.add(net.newState((int) in[3], (int) in[4]));
        }
        return states;
    }

    static void assertClose(INDArray expected, INDArray actual, double tol, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        INDArray e = expected.castTo(DataType.DOUBLE);
        double scale = Math.max(e.amaxNumber().doubleValue(), 1e-300);
        double err = e.sub(actual.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertTrue(err <= tol * scale, what + ": max abs error " + err + " exceeds " + tol + " x " + scale);
    }

    static INDArray logits(WindowResult r) {
        return Nd4j.createFromArray(r.logits());
    }

    static INDArray stack(List<MembraneState> states, int layer, boolean potentials) {
        INDArray[] parts = states.stream().map(s -> potentials ? s.u(layer) : s.s(layer)).toArray(INDArray[]::new);
        return Nd4j.concat(0, parts);
    }

    static void assertStates(Io io, String prefix, List<MembraneState> states, double tol) throws IOException {
        for (int l = 0; l < io.layers(); l++) {
            String name = prefix + "." + ModelCard.lifLabel(l);
            assertClose(io.get(name + ".u"), stack(states, l, true), tol, name + ".u");
            assertEquals(io.get(name + ".s"), stack(states, l, false).castTo(DataType.DOUBLE), name + ".s");
        }
    }

    static void assertSpikeCounts(Io io, WindowResult r, int fromStep) throws IOException {
        for (int l = 0; l < io.layers(); l++) {
            String name = "spike_count." + ModelCard.lifLabel(l);
            long[] expected = io.file().longs(name);
            for (int t = 0; t < r.steps(); t++) {
                for (int n = 0; n < r.batch(); n++) {
                    assertEquals(expected[(fromStep + t) * r.batch() + n], r.spikeCounts()[l][t][n], name + " at t=" + (fromStep + t) + " n=" + n);
                }
            }
        }
    }

    /** A fresh model whose convolutions on spikes all take {@code path} ({@code dense} or {@code sparse}). */
    static MsResNet forced(String fixture, Precision p, String path) throws IOException {
        String before = System.getProperty("spikestream.conv");
        System.setProperty("spikestream.conv", path);
        try {
            return load(fixture, p);
        } finally {
            if (before == null) {
                System.clearProperty("spikestream.conv");
            } else {
                System.setProperty("spikestream.conv", before);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny104", "ms18-64"})
    void float64MatchesEveryReferenceTensorOfTheWholeSequence(String fixture) throws IOException {
        checkWholeSequence(fixture, model(fixture, Precision.F64));
    }

    /** Every reference tensor of one call over the whole sequence, float64, to 1e-9. */
    static void checkWholeSequence(String fixture, MsResNet net) throws IOException {
        Io io = Io.open(fixture);
        List<MembraneState> states = fresh(net, io);
        Map<String, INDArray> acts = new LinkedHashMap<>();
        WindowResult r = net.forward(io.input(0, io.steps()), states, (name, v) -> acts.put(name, v.dup()));

        assertClose(io.get("logits"), logits(r), F64_TOLERANCE, fixture + " logits");
        assertClose(io.get("pooled"), Nd4j.createFromArray(r.pooled()), F64_TOLERANCE, fixture + " pooled");
        List<String> expectedActs = io.file().tensors().keySet().stream().filter(n -> n.startsWith("act.")).toList();
        assertEquals(expectedActs.size(), acts.size(), "activations seen by the probe: " + acts.keySet());
        for (String name : expectedActs) {
            assertClose(io.get(name), acts.get(name.substring(4)), F64_TOLERANCE, fixture + " " + name);
        }
        assertSpikeCounts(io, r, 0);
        assertStates(io, "state", states, F64_TOLERANCE);
        assertClose(io.get("u_last"), stack(states, io.layers() - 1, true), F64_TOLERANCE, fixture + " u_last");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny104", "ms18-64"})
    void float64ChunkedCallsCarryTheStateAndResumeFromTheMidState(String fixture) throws IOException {
        checkChunkedAndResumed(fixture, model(fixture, Precision.F64));
    }

    /** Two calls with the state carried, and the second call resumed from {@code state_mid}, float64, to 1e-9. */
    static void checkChunkedAndResumed(String fixture, MsResNet net) throws IOException {
        Io io = Io.open(fixture);
        int half = io.steps() / 2;
        INDArray expected = io.get("logits_chunked");

        List<MembraneState> states = fresh(net, io);
        WindowResult first = net.forward(io.input(0, half), states);
        assertClose(expected.slice(0), logits(first), F64_TOLERANCE, fixture + " logits_chunked[0]");
        assertStates(io, "state_mid", states, F64_TOLERANCE);
        WindowResult second = net.forward(io.input(half, io.steps()), states);
        assertClose(expected.slice(1), logits(second), F64_TOLERANCE, fixture + " logits_chunked[1]");
        assertSpikeCounts(io, second, half);
        assertStates(io, "state", states, F64_TOLERANCE);

        List<MembraneState> resumed = io.states(net, "state_mid");
        WindowResult fromMid = net.forward(io.input(half, io.steps()), resumed);
        assertClose(expected.slice(1), logits(fromMid), F64_TOLERANCE, fixture + " logits from state_mid");
        assertStates(io, "state", resumed, F64_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny", "tiny104", "ms18-64"})
    void float32ReproducesEverySpikeAndTheLogitsTo1e4(String fixture) throws IOException {
        checkFloat32(fixture, model(fixture, Precision.F32));
    }

    /** Float32: every spike count and final spike identical to the reference, logits to 1e-4; chunked too. */
    static void checkFloat32(String fixture, MsResNet net) throws IOException {
        Io io = Io.open(fixture);
        List<MembraneState> states = fresh(net, io);
        WindowResult r = net.forward(io.input(0, io.steps()), states);
        assertSpikeCounts(io, r, 0);
        List<MembraneState> chunked = fresh(net, io);
        int half = io.steps() / 2;
        net.forward(io.input(0, half), chunked);
        assertSpikeCounts(io, net.forward(io.input(half, io.steps()), chunked), half);
        List<MembraneState> resumed = io.states(net, "state_mid");
        assertSpikeCounts(io, net.forward(io.input(half, io.steps()), resumed), half);
        for (int l = 0; l < io.layers(); l++) {
            String name = "state." + ModelCard.lifLabel(l) + ".s";
            assertEquals(io.get(name), stack(chunked, l, false).castTo(DataType.DOUBLE), fixture + " chunked " + name);
            assertEquals(io.get(name), stack(resumed, l, false).castTo(DataType.DOUBLE), fixture + " resumed " + name);
        }
        INDArray expected = io.get("logits");
        double err = expected.sub(logits(r)).amaxNumber().doubleValue();
        assertTrue(err <= 1e-4, fixture + " float32 logits differ by " + err);
        for (int l = 0; l < io.layers(); l++) {
            String name = "state." + ModelCard.lifLabel(l) + ".s";
            assertEquals(io.get(name), stack(states, l, false).castTo(DataType.DOUBLE), fixture + " " + name);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F64"})
    void aSerialisedAndRestoredStateContinuesExactlyLikeTheLiveOne(String precision) throws IOException {
        Precision p = Precision.valueOf(precision);
        Io io = Io.open("tiny");
        MsResNet net = model("tiny", p);
        int half = io.steps() / 2;
        List<MembraneState> live = fresh(net, io);
        net.forward(io.input(0, half), live);
        List<MembraneState> restored = new ArrayList<>();
        for (MembraneState s : live) {
            byte[] bytes = s.toBytes();
            assertEquals(s.serializedBytes(), bytes.length);
            MembraneState back = MembraneState.fromBytes(bytes);
            assertArrayEquals(bytes, back.toBytes(), "serialisation is bit-exact");
            restored.add(back);
        }
        WindowResult a = net.forward(io.input(half, io.steps()), live);
        WindowResult b = net.forward(io.input(half, io.steps()), restored);
        assertTrue(Arrays.deepEquals(a.logits(), b.logits()), "logits after restore: " + Arrays.deepToString(b.logits()));
        for (int n = 0; n < io.batch(); n++) {
            assertArrayEquals(live.get(n).toBytes(), restored.get(n).toBytes(), "final state of sample " + n);
        }
    }
}
