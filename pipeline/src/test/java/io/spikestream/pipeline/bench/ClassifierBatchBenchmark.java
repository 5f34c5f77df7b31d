package io.spikestream.pipeline.bench;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.safetensors.DType;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.JobConfig;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.WindowModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What batching buys the classifier operator: one forward pass over the windows of
 * {@code batch} sensors (each from its own membrane state, in byte form as in Flink state) versus
 * one pass per window. Score = time per call; divide by {@code batch} for the time per window.
 * Random weights (speed only) on an MS-ResNet with one block per stage, 32x32 input, 10 bins.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ClassifierBatchBenchmark {
    @Param({"1", "4", "8"})
    public int batch;

    private WindowModel model;
    private List<float[]> frames;
    private List<byte[]> states;
    private Path file;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        FramingSpec spec = FramingSpec.tumbling(10_000, 10, 32, 32, new SensorGeometry(128, 128));
        ModelCard card = ModelCard.of(2, 11, new ModelCard.Stem(ModelCard.StemType.CONV7, 32),
                List.of(new ModelCard.Stage(32, 1), new ModelCard.Stage(64, 1), new ModelCard.Stage(128, 1), new ModelCard.Stage(256, 1)),
                ModelCard.Shortcut.CONV);
        file = Files.createTempFile("batch-bench-", ".safetensors");
        ModelFile.write(file, card, ModelWeights.random(card, 1), Map.of(FramingSpec.METADATA_KEY, spec.toJson()), DType.F32);
        model = MsResNetWindowModel.load(JobConfig.defaults(spec, file.toString()));
        Random rnd = new Random(1);
        frames = new ArrayList<>();
        states = new ArrayList<>();
        for (int s = 0; s < batch; s++) {
            float[] f = new float[spec.windowSize()];
            for (int i = 0; i < f.length; i++) {
                if (rnd.nextInt(20) == 0) {
                    f[i] = 1 + rnd.nextInt(3); // ~5% of pixels with a few events, as in a busy gesture
                }
            }
            frames.add(f);
            states.add(null);
        }
    }

    @Benchmark
    public Object forward() {
        List<WindowModel.Result> r = model.forward(frames, 10, 32, 32, states);
        for (int s = 0; s < batch; s++) {
            states.set(s, r.get(s).state());
        }
        return r;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        model.close();
        Files.deleteIfExists(file);
    }
}
