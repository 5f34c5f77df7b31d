package io.spikestream.model.train.bench;

import io.spikestream.model.ModelCard;
import io.spikestream.model.train.AdamW;
import io.spikestream.model.train.BnMode;
import io.spikestream.model.train.GradientClipping;
import io.spikestream.model.train.Initializer;
import io.spikestream.model.train.SoftmaxCrossEntropy;
import io.spikestream.model.train.SpikingResNet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
 * One full training step (float32): forward over T timesteps with training-mode tdBN,
 * cross-entropy, backward through time, gradient clipping and an AdamW update, on sparse
 * random event frames. {@code config=bundled}: the bundled gesture model (conv7 16, stages
 * 16/32/64/128 x 1), 64x64, T = 8, batch 16; {@code config=ms18}: MS-ResNet-18, 64x64, T = 8,
 * batch 8. Samples/s = batch / (seconds per step). Each iteration also prints the samples per
 * CPU second of the whole process, since on the shared development machine the wall clock mostly
 * measures the other builds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainingStepBenchmark {
    @Param({"bundled", "ms18"})
    public String config;

    private SpikingResNet net;
    private AdamW optimizer;
    private INDArray input;
    private int[] labels;
    private final SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0.1);
    private int batch;
    private long steps;
    private long cpuStartNs;

    private static long processCpuNs() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @Setup(Level.Iteration)
    public void startCpuClock() {
        steps = 0;
        cpuStartNs = processCpuNs();
    }

    @TearDown(Level.Iteration)
    public void reportCpuRate() {
        double cpuSeconds = (processCpuNs() - cpuStartNs) / 1e9;
        System.out.printf(java.util.Locale.ROOT, "  [%s: %d steps, %.1f samples per CPU second]%n", config, steps,
                steps * batch / cpuSeconds);
    }

    @Setup(Level.Trial)
    public void setUp() {
        ModelCard card;
        int size;
        if (config.equals("ms18")) {
            card = ModelCard.msResNet18(2, 11);
            batch = 8;
            size = 64;
        } else {
            card = ModelCard.of(2, 11, new ModelCard.Stem(ModelCard.StemType.CONV7, 16),
                    List.of(new ModelCard.Stage(16, 1), new ModelCard.Stage(32, 1), new ModelCard.Stage(64, 1),
                            new ModelCard.Stage(128, 1)), ModelCard.Shortcut.CONV);
            batch = 16;
            size = 64;
        }
        int t = 8;
        net = SpikingResNet.msResNet(card, DataType.FLOAT);
        Initializer.paper(net, 1);
        optimizer = AdamW.withWeightDecay(1e-4);
        SplittableRandom rng = new SplittableRandom(2);
        float[] frames = new float[t * batch * 2 * size * size];
        for (int i = 0; i < frames.length; i++) {
            frames[i] = rng.nextDouble() < 0.05 ? 1 + rng.nextInt(2) : 0;
        }
        input = Nd4j.create(frames, new long[] {t, batch, 2, size, size}, DataType.FLOAT);
        labels = new int[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = rng.nextInt(11);
        }
    }

    @Benchmark
    public double trainingStep() {
        INDArray logits = net.forward(input, BnMode.TRAIN);
        SoftmaxCrossEntropy.Result r = loss.evaluate(logits, labels);
        net.backward(r.gradLogits());
        GradientClipping.clip(net.parameters().parameters(), 5.0);
        optimizer.step(net.parameters().parameters(), 1e-3);
        steps++;
        return r.loss();
    }
}
