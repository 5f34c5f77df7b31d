package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Pointer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream bench model}: times the forward pass of a model card with random weights on
 * random sparse event-count frames, windows of {@code --steps} timesteps for {@code --batch}
 * sensors with the state carried, and prints one JSON object (throughput, latency, GFLOP/s, memory,
 * state size). Heap (after a GC) and off-heap (resident set minus committed heap) are also reported
 * after warm-up and at the end, so a long run ({@code --windows 10000}) shows whether memory grows.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Benchmark MS-ResNet inference (random weights) and print one JSON object.")
public final class BenchModelCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--card", required = true, paramLabel = "C.json", description = "model card")
    Path card;

    @Option(names = "--height", required = true, description = "frame height")
    int height;

    @Option(names = "--width", required = true, description = "frame width")
    int width;

    @Option(names = "--batch", defaultValue = "1", description = "sensors per call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", defaultValue = "16", description = "timesteps per window (default: ${DEFAULT-VALUE})")
    int steps;

    @Option(names = "--windows", defaultValue = "20", description = "measured windows (default: ${DEFAULT-VALUE})")
    int windows;

    @Option(names = "--warmup", defaultValue = "3", description = "windows run before measuring (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f64", description = "precision (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--density", defaultValue = "0.05", description = "fraction of pixels with events per frame (default: ${DEFAULT-VALUE})")
    double density;

    @Option(names = "--seed", defaultValue = "1", description = "seed of weights and frames (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (height <= 0 || width <= 0 || batch <= 0 || steps <= 0 || windows <= 0 || warmup < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--height, --width, --batch, --steps and --windows must be positive, --warmup non-negative");
        }
        if (!(density >= 0 && density <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--density must lie in [0, 1]");
        }
        Precision precision;
        try {
            precision = Precision.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dtype: " + e.getMessage());
        }
        ModelCard c = ModelCard.read(card);
        MsResNet net = new MsResNet(c, ModelWeights.random(c, seed), precision);
        List<MembraneState> states = new ArrayList<>();
        for (int n = 0; n < batch; n++) {
            states.add(net.newState(height, width));
        }
        float[][] inputs = new float[4][];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = frames(rnd, steps * batch * c.inChannels() * height * width);
        }

        for (int i = 0; i < warmup; i++) {
            net.forward(inputs[i % inputs.length], steps, batch, height, width, states);
        }
        long heapAfterWarmup = heapAfterGc();
        long offHeapAfterWarmup = offHeap();
        long rssAfterWarmup = Pointer.physicalBytes();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
        long offHeapPeak = offHeapAfterWarmup;
        long rssPeak = Pointer.physicalBytes();
        double spikesPerNeuron = 0;
        long cpuStart = processCpuNanos();
        long start = System.nanoTime();
        for (int i = 0; i < windows; i++) {
            WindowResult r = net.forward(inputs[i % inputs.length], steps, batch, height, width, states);
            spikesPerNeuron += r.stats().get(0).spikesPerNeuron();
            if (i < 16 || (i & 15) == 0) {
                offHeapPeak = Math.max(offHeapPeak, offHeap());
                rssPeak = Math.max(rssPeak, Pointer.physicalBytes());
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
        long heapPeak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPeak += pool.getPeakUsage().getUsed();
            }
        }
        long heapEnd = heapAfterGc();
        long offHeapEnd = offHeap();
        long rssEnd = Pointer.physicalBytes();
        rssPeak = Math.max(rssPeak, rssEnd);
        offHeapPeak = Math.max(offHeapPeak, offHeapEnd);

        double frames = (double) windows * steps * batch;
        double flopPerFrame = net.flopsPerFrame(height, width);
        ObjectNode json = new ObjectMapper().createObjectNode();
        json.put("card", card.toString());
        json.put("height", height);
        json.put("width", width);
        json.put("batch", batch);
        json.put("steps", steps);
        json.put("windows", windows);
        json.put("dtype", precision.name().toLowerCase(java.util.Locale.ROOT));
        json.put("threads", Runtime.getRuntime().availableProcessors());
        json.put("frames_per_s", round(frames / seconds));
        json.put("ms_per_window", round(seconds * 1e3 / windows));
        json.put("cpu_ms_per_window", round(cpuSeconds * 1e3 / windows));
        // not rounded to 1e-3: a small model's frame is a few MFLOP
        json.put("gflop_per_frame", flopPerFrame / 1e9);
        json.put("gflop_per_s", round(flopPerFrame * frames / seconds / 1e9));
        json.put("heap_peak_bytes", heapPeak);
        json.put("heap_after_warmup_bytes", heapAfterWarmup);
        json.put("heap_end_bytes", heapEnd);
        json.put("offheap_peak_bytes", offHeapPeak);
        json.put("offheap_after_warmup_bytes", offHeapAfterWarmup);
        json.put("offheap_end_bytes", offHeapEnd);
        json.put("rss_peak_bytes", rssPeak);
        json.put("rss_after_warmup_bytes", rssAfterWarmup);
        json.put("rss_end_bytes", rssEnd);
        json.put("model_buffer_bytes", net.bufferBytes());
        json.put("state_bytes_per_sensor", states.get(0).serializedBytes());
        json.put("spikes_per_neuron", round(spikesPerNeuron / windows));
        spec.commandLine().getOut().println(json.toString());
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    /** Sparse non-negative event counts: each pixel and channel fires with probability {@code density}. */
    private float[] frames(SplittableRandom rnd, int size) {
        float[] f = new float[size];
        for (int i = 0; i < size; i++) {
            if (rnd.nextDouble() < density) {
                f[i] = 1 + rnd.nextInt(3);
            }
        }
        return f;
    }

    /**
     * Native memory of the process outside the Java heap: resident set minus committed heap. ND4J's
     * CPU buffers are not counted by JavaCPP's allocation tracker, so the resident set is the honest measure.
     */
    private static long offHeap() {
        return Pointer.physicalBytes() - ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted();
    }

    /** CPU time of the whole process (all threads): on a shared machine it shows the work done, not the wait. */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    private static long heapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
