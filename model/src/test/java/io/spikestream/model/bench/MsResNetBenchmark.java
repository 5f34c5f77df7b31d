package io.spikestream.model.bench;

import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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

/**
 * One window of MS-ResNet-18 (2 input channels, 11 classes, random weights) over {@code steps}
 * timesteps for {@code batch} sensors, state carried from window to window: the case the speed
 * goals compare with PyTorch. Frames/s = windows/s × steps × batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MsResNetBenchmark {
    @Param({"64"})
    public int size;

    @Param({"1"})
    public int batch;

    @Param({"16"})
    public int steps;

    private MsResNet net;
    private List<MembraneState> states;
    private float[][] windows;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        ModelCard card = ModelCard.msResNet18(2, 11);
        net = new MsResNet(card, ModelWeights.random(card, 1), Precision.F32);
        states = new ArrayList<>();
        for (int n = 0; n < batch; n++) {
            states.add(net.newState(size, size));
        }
        SplittableRandom rnd = new SplittableRandom(7);
        windows = new float[4][steps * batch * 2 * size * size];
        for (float[] w : windows) {
            for (int i = 0; i < w.length; i++) {
                // sparse event counts, as DVS frames are
                w[i] = rnd.nextDouble() < 0.05 ? 1 + rnd.nextInt(3) : 0;
            }
        }
    }

    @Benchmark
    public WindowResult window() {
        float[] frames = windows[next++ & 3];
        return net.forward(frames, steps, batch, size, size, states);
    }
}
