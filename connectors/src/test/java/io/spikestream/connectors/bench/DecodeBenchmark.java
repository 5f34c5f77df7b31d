package io.spikestream.connectors.bench;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.Aedat31Reader;
import io.spikestream.connectors.recording.Aedat4Reader;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Evt2Reader;
import io.spikestream.connectors.recording.Evt3Reader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decoding speed of the recording readers from memory, one thread: each invocation decodes a whole
 * in-memory recording (tens of MB, built from the real samples by {@link DecodeRecordings}) into
 * one reused {@link EventBatch}, through the same reader classes as files use. The {@code events}
 * counter reports decoded events per second.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class DecodeBenchmark {
    static final Path NAME = Path.of("memory");

    @State(Scope.Benchmark)
    public static class Files {
        @Param({"16384"})
        public int batchEvents;

        byte[] evt2;
        byte[] evt3;
        byte[] aedat31;
        byte[] aedat4;

        @Setup(Level.Trial)
        public void build() throws IOException {
            Path evt2Sample = DecodeRecordings.real("prophesee_gen3_evt2_sample.raw");
            evt2 = DecodeRecordings.repeatPayload(evt2Sample, DecodeRecordings.rawHeaderBytes(evt2Sample), 16);
            Path evt3Sample = DecodeRecordings.real("prophesee_gen41_evt3_sample.raw");
            evt3 = DecodeRecordings.repeatPayload(evt3Sample, DecodeRecordings.rawHeaderBytes(evt3Sample), 48);
            aedat31 = DecodeRecordings.aedat31(16);
            aedat4 = DecodeRecordings.aedat4(16);
        }
    }

    /** Events decoded, reported by JMH as a rate next to the invocation rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Decoded {
        public long events;
        final EventBatch batch = new EventBatch(1 << 15);
    }

    /**
     * CPU time of the benchmark thread and the events it decoded, as totals: on a shared machine
     * the wall-clock rate depends on the other processes, events per CPU second much less.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
        public long cpuMicros;
        public long decoded;
        long start;

        @Setup(Level.Invocation)
        public void before() {
            start = THREADS.getCurrentThreadCpuTime();
        }

        void after(long events) {
            cpuMicros += (THREADS.getCurrentThreadCpuTime() - start) / 1000;
            decoded += events;
        }
    }

    private static long drain(EventReader r, EventBatch b, int batchEvents) throws IOException {
        long n = 0;
        try (r) {
            while (r.read(b, batchEvents)) {
                n += b.size();
            }
        }
        return n;
    }

    @Benchmark
    public long evt2(Files f, Decoded d, CpuTime cpu) throws IOException {
        long n = drain(new Evt2Reader(NAME, new ByteArrayInputStream(f.evt2)), d.batch, f.batchEvents);
        d.events += n;
        cpu.after(n);
        return n;
    }

    @Benchmark
    public long evt3(Files f, Decoded d, CpuTime cpu) throws IOException {
        long n = drain(new Evt3Reader(NAME, new ByteArrayInputStream(f.evt3)), d.batch, f.batchEvents);
        d.events += n;
        cpu.after(n);
        return n;
    }

    @Benchmark
    public long aedat4(Files f, Decoded d, CpuTime cpu) throws IOException {
        long n = drain(new Aedat4Reader(NAME, new ByteArrayInputStream(f.aedat4)), d.batch, f.batchEvents);
        d.events += n;
        cpu.after(n);
        return n;
    }

    @Benchmark
    public long aedat31(Files f, Decoded d, CpuTime cpu) throws IOException {
        long n = drain(new Aedat31Reader(NAME, new ByteArrayInputStream(f.aedat31)), d.batch, f.batchEvents);
        d.events += n;
        cpu.after(n);
        return n;
    }
}
