package io.spikestream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.recording.gesture.Warnings;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelFile;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import io.spikestream.model.train.ConfusionMatrix;
import io.spikestream.model.train.SpikingResNet;
import io.spikestream.model.train.Trainer;
import io.spikestream.pipeline.dataset.GestureSamples;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The shipped model on the shipped held-out recording, through the training network and the serving engine (MsResNet). */
class BundledModelTest {
    static Path resource(String name, Path target) throws Exception {
        try (InputStream in = BundledModelTest.class.getClassLoader().getResourceAsStream(DemoCommand.BUNDLE + name)) {
            assertNotNull(in, "bundled resource " + name);
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void classifiesTheHeldOutDemoRecordingFarAboveChanceAndTheServingEngineAgrees(@TempDir Path dir) throws Exception {
        Path model = resource(DemoCommand.BUNDLED_MODEL, dir.resolve("model.safetensors"));
        resource(DemoCommand.BUNDLED_RECORDING, dir.resolve("user28_natural.aedat"));
        resource(DemoCommand.BUNDLED_LABELS, dir.resolve("user28_natural_labels.csv"));
        assertTrue(Files.size(model) <= 10_000_000, "model file at most 10 MB");

        ModelFile file = ModelFile.read(model);
        FramingSpec framing = FramingSpec.fromJson(file.metadata().get(FramingSpec.METADATA_KEY));
        GestureSamples samples = GestureSamples.load(GestureSamples.find(dir, Set.of(28), null, Warnings.STDERR),
                framing.withHop(framing.bins()), Warnings.STDERR, null);
        assertTrue(samples.size() >= 11, samples.size() + " windows");

        SpikingResNet net = SpikingResNet.msResNet(file.card(), DataType.FLOAT);
        net.parameters().load(file.weights().asMap());
        ConfusionMatrix eval = Trainer.evaluate(net, samples, 32);
        System.out.printf("demo recording: %d windows, training network %.4f%n", samples.size(), eval.accuracy());
        // one 25 s recording of a held-out user (chance: 1/11); the >= 90 % goal is over all held-out users, see README
        assertTrue(eval.accuracy() >= 0.7, "training network accuracy " + eval.accuracy());

        MsResNet serving = new MsResNet(file.card(), file.weights(), Precision.F32);
        int n = samples.size();
        int t = samples.timesteps();
        int plane = 2 * samples.height() * samples.width();
        float[] frames = new float[t * n * plane];
        List<MembraneState> states = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] f = samples.frames(i);
            for (int k = 0; k < t; k++) {
                System.arraycopy(f, k * plane, frames, (k * n + i) * plane, plane);
            }
            states.add(serving.newState(samples.height(), samples.width()));
        }
        WindowResult served = serving.forward(frames, t, n, samples.height(), samples.width(), states);
        int right = 0;
        for (int i = 0; i < n; i++) {
            right += served.predictedClass(i) == samples.label(i) ? 1 : 0;
        }
        double servedAccuracy = (double) right / n;
        System.out.printf("demo recording: serving engine %.4f%n", servedAccuracy);
        assertTrue(servedAccuracy >= 0.7, "serving engine accuracy " + servedAccuracy);
        assertEquals(eval.accuracy(), servedAccuracy, 1.0 / n + 1e-9, "training network and serving engine agree within one window");
    }
}
