package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import io.spikestream.model.LayerTiming;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import io.spikestream.pipeline.job.ModelSetup;
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
 * {@code spikestream bench model}: times the forward pass of a model, windows of {@code --steps}
 * timesteps for {@code --batch} sensors with the state carried, and prints one JSON object
 * (throughput, latency, GFLOP/s, memory, state size, and per layer its time, input spike density
 * and the path its convolution took). The model is a card with random weights ({@code --card}) or
 * trained weights ({@code --model}); the frames are random sparse event counts, or with
 * {@code --input} the windows of a recording framed by the model's own framing spec (the
 * streaming job's {@link Framer}), consecutive windows taken as the {@code --batch} sensors.
 * Heap (after a GC) and off-heap (resident set minus committed heap) are also reported
 * after warm-up and at the end, so a long run ({@code --windows 10000}) shows whether memory grows.
 */
@Command(name = "model", mixinStandardHelpOptions = true,
        description = "Benchmark MS-ResNet inference and print one JSON object (with per-layer time, spike density and path).")
public final class BenchModelCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--card", paramLabel = "C.json", description = "model card, random weights (or --model)")
    Path card;

    @Option(names = "--model", paramLabel = "FILE", description = "trained model file (card, weights, framing)")
    Path model;

    @Option(names = "--input", paramLabel = "RECORDING",
            description = "frames from this recording, framed as the model's framing spec says (needs --model)")
    Path input;

    @Option(names = "--height", description = "frame height (not with --input)")
    int height;

    @Option(names = "--width", description = "frame width (not with --input)")
    int width;

    @Option(names = "--batch", defaultValue = "1", description = "sensors per call (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--steps", description = "timesteps per window (default: 16; with --input the framing's bins)")
    Integer stepsOption;

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
        if ((card == null) == (model == null)) {
            throw usage("give either --card (random weights) or --model");
        }
        if (input != null && model == null) {
            throw usage("--input needs --model (its framing spec makes the frames)");
        }
        FramingSpec framing = null;
        if (input != null) {
            if (height != 0 || width != 0) {
                throw usage("--height and --width come from the model's framing with --input");
            }
            framing = ModelSetup.read(model).framing();
            height = framing.height();
            width = framing.width();
            if (stepsOption != null && stepsOption != framing.bins()) {
                throw usage("--steps " + stepsOption + " differs from the framing's " + framing.bins() + " bins per window");
            }
        }
        steps = stepsOption != null ? stepsOption : framing != null ? framing.bins() : 16;
        if (height <= 0 || width <= 0 || batch <= 0 || steps <= 0 || windows <= 0 || warmup < 0) {
            throw usage("--height, --width, --batch, --steps and --windows must be positive, --warmup non-negative");
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
        MsResNet net;
        if (model != null) {
            ModelFile f = ModelFile.read(model);
            net = new MsResNet(f.card(), f.weights(), precision);
        } else {
            ModelCard c = ModelCard.read(card);
            net = new MsResNet(c, ModelWeights.random(c, seed), precision);
        }
        ModelCard c = net.card();
        List<MembraneState> states = new ArrayList<>();
        for (int n = 0; n < batch; n++) {
            states.add(net.newState(height, width));
        }
        float[][] inputs;
        int recordingWindows = 0;
        if (input != null) {
            if (c.inChannels() != 2) {
                throw new IOException(model + " expects " + c.inChannels() + " input channels; framed recordings have 2 (polarities)");
            }
            List<Window> ws = new ArrayList<>();
            try (EventReader reader = Recordings.open(input)) {
                Framer.forEachWindow(reader, framing, "bench", ws::add);
            }
            if (ws.size() < batch) {
                throw new IOException(input + " gives " + ws.size() + " windows, fewer than --batch " + batch);
            }
            recordingWindows = ws.size();
            inputs = batches(ws, c.inChannels());
        } else {
            inputs = new float[4][];
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = 0; i < inputs.length; i++) {
                inputs[i] = frames(rnd, steps * batch * c.inChannels() * height * width);
            }
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
        net.resetLayerTimings();
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
        if (card != null) {
            json.put("card", card.toString());
        } else {
            json.put("model", model.toString());
        }
        if (input != null) {
            json.put("input", input.toString());
            json.put("recording_windows", recordingWindows);
        }
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
        ArrayNode layers = json.putArray("layers");
        for (LayerTiming t : net.layerTimings()) {
            ObjectNode l = layers.addObject();
            l.put("name", t.name());
            l.put("kind", t.kind());
            l.put("ms_per_window", round(t.millis() / windows));
            l.put("path", t.path());
            if (!Double.isNaN(t.inputDensity())) {
                l.put("input_density", round(t.inputDensity()));
                if (!Double.isNaN(t.breakEvenDensity())) {
                    l.put("break_even_density", round(t.breakEvenDensity()));
                }
            }
        }
        spec.commandLine().getOut().println(json.toString());
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /**
     * The recording's windows as batches {@code [K, N, C, H, W]}: batch i holds windows
     * {@code i·N … i·N+N-1} as its N sensors (the last incomplete group is dropped).
     */
    private float[][] batches(List<Window> ws, int channels) {
        int plane = channels * height * width;
        float[][] out = new float[ws.size() / batch][];
        for (int i = 0; i < out.length; i++) {
            float[] f = new float[steps * batch * plane];
            for (int n = 0; n < batch; n++) {
                float[] w = ws.get(i * batch + n).frames();
                for (int k = 0; k < steps; k++) {
                    System.arraycopy(w, k * plane, f, (k * batch + n) * plane, plane);
                }
            }
            out[i] = f;
        }
        return out;
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
