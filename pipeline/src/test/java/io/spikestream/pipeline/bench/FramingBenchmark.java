package io.spikestream.pipeline.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Framing throughput, one thread: 1 M DVS128 events at 1 M events/s (1 s of a busy gesture) into
 * 32x32 windows of 10 bins of 10 ms, with the windows closed and built. The score is in
 * operations/s where one operation is one event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FramingBenchmark {
    static final int EVENTS = 1 << 20;

    @Param({"false", "true"})
    public boolean denoise;

    private EventBatch events;
    private FramingSpec spec;
    private final SensorGeometry dvs128 = new SensorGeometry(128, 128);
    // CPU time of the benchmark thread: on a shared machine the wall-clock rate hides how fast the code is
    private final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    private long cpuNanos;
    private long invocations;

    @Setup(Level.Trial)
    public void setUp() {
        Random rnd = new Random(1);
        events = new EventBatch(EVENTS);
        long t = 0;
        // clustered activity, like a hand moving: a drifting centre with spread
        double cx = 64;
        double cy = 64;
        for (int i = 0; i < EVENTS; i++) {
            t += rnd.nextInt(2); // ~1 event/µs on average
            if ((i & 1023) == 0) {
                cx = Math.max(10, Math.min(118, cx + rnd.nextGaussian() * 3));
                cy = Math.max(10, Math.min(118, cy + rnd.nextGaussian() * 3));
            }
            int x = (int) Math.max(0, Math.min(127, cx + rnd.nextGaussian() * 12));
            int y = (int) Math.max(0, Math.min(127, cy + rnd.nextGaussian() * 12));
            events.add(t, x, y, rnd.nextInt(2));
        }
        spec = FramingSpec.tumbling(10_000, 10, 32, 32, dvs128);
        if (denoise) {
            spec = spec.withDenoise(5_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void frameOneSecond(Blackhole bh) {
        long cpu0 = threads.getCurrentThreadCpuTime();
        frame(bh);
        cpuNanos += threads.getCurrentThreadCpuTime() - cpu0;
        invocations++;
    }

    /** Prints the iteration's events per CPU second of the benchmark thread. */
    @TearDown(Level.Iteration)
    public void cpuRate() {
        if (cpuNanos > 0) {
            System.out.printf(java.util.Locale.ROOT, "  [cpu] %.1f M events per CPU second (denoise=%s)%n",
                    invocations * (double) EVENTS / cpuNanos * 1e3, denoise);
        }
        cpuNanos = 0;
        invocations = 0;
    }

    private void frame(Blackhole bh) {
        Framer f = new Framer(spec, "bench", dvs128);
        // in packets of 4096 events, each followed by a watermark, as the streaming operator does
        int n = events.size();
        for (int i = 0; i < n; i += 4096) {
            int to = Math.min(n, i + 4096);
            f.accept(events, i, to);
            f.advanceTo(events.t(to - 1) - 2_000, bh::consume);
        }
        f.advanceTo(Long.MAX_VALUE, bh::consume);
    }
}
