package io.spikestream.connectors.synth.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.synth.Gesture;
import io.spikestream.connectors.synth.GestureSimulator;
import io.spikestream.connectors.synth.Lighting;
import io.spikestream.connectors.synth.RecordingPlan;
import java.io.IOException;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Wall time to simulate one whole synthetic recording (all eleven gestures once, about 25 s of
 * recording) on one thread; {@code spikestream synth} runs one recording per core. Events go to a
 * sink that only counts them, so this is the simulator alone, without file writing.
 * Run: {@code PacketBenchMain GestureSimulatorBenchmark -f 1 -wi 1 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class GestureSimulatorBenchmark {
    @Param({"fluorescent", "lab"})
    public String lighting;

    private GestureSimulator simulator;
    private RecordingPlan plan;

    @Setup
    public void plan() {
        simulator = new GestureSimulator(1);
        plan = simulator.plan(7, Lighting.named(lighting), 1, EnumSet.allOf(Gesture.class));
    }

    @Benchmark
    public long simulateOneRecording(Blackhole bh) throws IOException {
        long[] events = new long[1];
        simulator.simulate(plan, (EventBatch chunk) -> {
            events[0] += chunk.size();
            bh.consume(chunk.t(chunk.size() - 1));
        });
        return events[0];
    }
}
