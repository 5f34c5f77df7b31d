package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier operator in Flink's keyed operator harness with a small real model: the
 * membrane state carries from window to window, restarts fresh after a gap longer than
 * {@code stateResetGapUs} (with the smoothing history), and survives a checkpoint. The expected
 * logits come from the model called directly, window by window, outside the operator.
 */
class ClassifierOperatorTest {
    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);

    @TempDir
    Path dir;

    static KeyedOneInputStreamOperatorTestHarness<String, FramedWindow, ClassificationResult> harness(JobConfig config)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ClassifierOperator(config, MsResNetWindowModel::load),
                (FramedWindow w) -> w.sensorId, Types.STRING);
        h.setStateBackend(new HashMapStateBackend());
        return h;
    }

    @Test
    void theMembraneCarriesOverResetsAfterAGapAndSurvivesACheckpoint() throws Exception {
        Path model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 7);
        // batches of one: each window is classified as it arrives
        JobConfig config = JobConfig.defaults(SPEC, model.toString()).withBatching(1, 0).withSmoothing(3)
                .withStateResetGap(50_000);
        EventBatch first = TestPackets.events(3, G, 6_000, 20, 1_000_000);
        // the second burst starts 200 ms after the first ends: more than the 50 ms reset gap
        EventBatch second = TestPackets.events(4, G, 3_000, 20, first.t(first.size() - 1) + 200_000);
        List<Window> windows = new ArrayList<>(Framer.frames(first, SPEC, G, "cam"));
        int resetAt = windows.size();
        windows.addAll(Framer.frames(second, SPEC, G, "cam"));
        assertTrue(resetAt >= 4 && windows.size() - resetAt >= 2, "enough windows either side of the gap");

        // the truth: the model called directly, the state carried, a fresh state after the gap
        List<float[]> want = new ArrayList<>();
        try (WindowModel m = MsResNetWindowModel.load(config)) {
            byte[] state = null;
            for (int i = 0; i < windows.size(); i++) {
                Window w = windows.get(i);
                if (i == resetAt) {
                    state = null;
                }
                WindowModel.Result r = m.forward(List.of(w.frames()), w.bins(), w.height(), w.width(),
                        Collections.singletonList(state)).get(0);
                state = r.state();
                want.add(r.logits());
            }
        }

        int cut = resetAt / 2;
        List<ClassificationResult> got = new ArrayList<>();
        OperatorSubtaskState snapshot;
        try (var h = harness(config)) {
            h.open();
            for (int i = 0; i < cut; i++) {
                h.processElement(FramedWindow.of(windows.get(i), 0), windows.get(i).endUs() - 1);
            }
            snapshot = h.snapshot(1, 1);
            got.addAll(h.extractOutputValues());
        }
        try (var h = harness(config)) {
            h.initializeState(snapshot);
            h.open();
            for (int i = cut; i < windows.size(); i++) {
                h.processElement(FramedWindow.of(windows.get(i), 0), windows.get(i).endUs() - 1);
            }
            h.endInput();
            got.addAll(h.extractOutputValues());
        }

        assertEquals(windows.size(), got.size());
        for (int i = 0; i < got.size(); i++) {
            ClassificationResult c = got.get(i);
            assertEquals(windows.get(i).index(), c.windowIndex);
            assertArrayEquals(want.get(i), c.logits, 1e-5f, "window " + i);
            assertEquals(i == 0 || i == resetAt, c.freshState, "window " + i + " fresh state");
        }
        assertFalse(got.get(cut).freshState, "the state restored from the checkpoint is used");
        // after the reset the smoothing history starts again: the smoothed decision is the window's own
        assertArrayEquals(got.get(resetAt).probabilities, got.get(resetAt).smoothedProbabilities, 1e-6f);
        assertTrue(got.get(resetAt + 1).smoothedProbabilities[0] != got.get(resetAt + 1).probabilities[0]
                || got.get(resetAt + 1).smoothedProbabilities[1] != got.get(resetAt + 1).probabilities[1],
                "the window after the reset averages two windows");
    }

    @Test
    void aBatchGoesAsSoonAsEverySensorHeardFromLatelyHasAWindowInIt() throws Exception {
        Path model = TestModels.tiny(dir.resolve("tiny.safetensors"), SPEC, 7);
        // a long wait and a large batch: only the sensors heard from decide when a batch goes
        JobConfig config = JobConfig.defaults(SPEC, model.toString()).withBatching(8, 60_000);
        EventBatch events = TestPackets.events(3, G, 6_000, 20, 1_000_000);
        List<Window> a = Framer.frames(events, SPEC, G, "a");
        List<Window> b = Framer.frames(events, SPEC, G, "b");
        long liveForMs = 2 * SPEC.hopUs() / 1000; // two hops of 4 bins of 2 ms: 16 ms
        try (var h = harness(config)) {
            h.open();
            h.setProcessingTime(1_000);
            h.processElement(FramedWindow.of(a.get(0), 1_000), a.get(0).endUs() - 1);
            assertEquals(1, h.extractOutputValues().size(), "the only sensor: no wait");

            h.setProcessingTime(1_001);
            h.processElement(FramedWindow.of(b.get(0), 1_001), b.get(0).endUs() - 1);
            assertEquals(1, h.extractOutputValues().size(), "b waits: a was heard from 1 ms ago");
            h.setProcessingTime(1_002);
            h.processElement(FramedWindow.of(a.get(1), 1_002), a.get(1).endUs() - 1);
            assertEquals(3, h.extractOutputValues().size(), "a and b both in the batch: it goes");

            // a falls silent: after two hops b no longer waits for it
            h.setProcessingTime(1_002 + liveForMs + 1);
            h.processElement(FramedWindow.of(b.get(1), 1_002 + liveForMs + 1), b.get(1).endUs() - 1);
            assertEquals(4, h.extractOutputValues().size(), "a is forgotten: b goes alone");

            // a comes back while b is quiet for less than two hops: a waits for b, at most the batch wait
            h.setProcessingTime(1_010 + liveForMs);
            h.processElement(FramedWindow.of(a.get(2), 1_010 + liveForMs), a.get(2).endUs() - 1);
            assertEquals(4, h.extractOutputValues().size(), "b was heard from lately: a waits");
            h.setProcessingTime(1_010 + liveForMs + 60_000);
            assertEquals(5, h.extractOutputValues().size(), "the batch wait still bounds it");
        }
    }
}
