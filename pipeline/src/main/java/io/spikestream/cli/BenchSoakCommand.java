package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.model.ModelFile;
import io.spikestream.model.Parallel;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.job.MsResNetWindowModel;
import io.spikestream.pipeline.job.WindowModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream bench soak}: runs a model (the bundled one by default) through the classifier's
 * own {@link MsResNetWindowModel} over a long synthetic stream of several sensors, with each sensor's
 * membrane state kept as bytes between its windows and batches of varying size, as the streaming job
 * does. Every {@code --sample-every} windows it samples the Java heap, ND4J's and JavaCPP's native
 * byte counters and the resident set ({@code VmRSS} of {@code /proc/self/status}); it prints one JSON
 * object with the samples and the resident-set growth from {@code --baseline} windows to the end,
 * against the goal of at most 5 MB.
 */
@Command(name = "soak", mixinStandardHelpOptions = true,
        description = {"Run the model over a long synthetic multi-sensor stream and print memory samples as one JSON object.",
            "Progress goes to stderr, one line per sample."})
public final class BenchSoakCommand implements Callable<Integer> {
    /** The goal of the soak: resident-set growth from the baseline window to the end. */
    static final long GOAL_BYTES = 5L * 1024 * 1024;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", description = "model file (default: the bundled model)")
    Path model;

    @Option(names = "--windows", defaultValue = "200000", description = "windows classified in all, over all sensors (default: ${DEFAULT-VALUE})")
    long windows;

    @Option(names = "--sensors", defaultValue = "8", description = "sensors in the stream (default: ${DEFAULT-VALUE})")
    int sensors;

    @Option(names = "--batch", defaultValue = "8", description = "most windows per forward pass; each pass takes 1..this many, as the job's batches vary (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--sample-every", defaultValue = "1000", description = "windows between memory samples (default: ${DEFAULT-VALUE})")
    long sampleEvery;

    @Option(names = "--baseline", description = "window from which growth is measured (default: 20000, or a tenth of --windows when that is smaller)")
    Long baseline;

    @Option(names = "--fresh-rate", defaultValue = "0.01", description = "fraction of windows that start from a fresh state, as after a silence (default: ${DEFAULT-VALUE})")
    double freshRate;

    @Option(names = "--density", defaultValue = "0.05", description = "fraction of pixels with events per frame (default: ${DEFAULT-VALUE})")
    double density;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the stream (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Integer call() throws IOException {
        if (windows <= 0 || sensors <= 0 || batch <= 0 || sampleEvery <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--windows, --sensors, --batch and --sample-every must be positive");
        }
        if (!(density >= 0 && density <= 1) || !(freshRate >= 0 && freshRate <= 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--density and --fresh-rate must lie in [0, 1]");
        }
        long from = baseline != null ? baseline : Math.min(20_000, windows / 10);
        if (from < 0 || from >= windows) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--baseline must lie in [0, --windows)");
        }
        PrintWriter err = spec.commandLine().getErr();
        ModelFile file = ModelFile.read(model != null ? model : bundledModel());
        FramingSpec framing = MsResNetWindowModel.framing(file);
        if (framing == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "the model file has no framing spec in its metadata");
        }
        int bins = framing.bins();
        int h = framing.height();
        int w = framing.width();
        int perSensor = Math.min(batch, sensors);

        // a pool of windows per sensor, cycled: generating frames must not dominate what is measured
        SplittableRandom rnd = new SplittableRandom(seed);
        int pool = 8;
        float[][][] frames = new float[sensors][pool][];
        for (int s = 0; s < sensors; s++) {
            for (int i = 0; i < pool; i++) {
                frames[s][i] = window(rnd, bins, h, w, s);
            }
        }
        byte[][] states = new byte[sensors][];
        long[] seen = new long[sensors];

        ObjectNode json = new ObjectMapper().createObjectNode();
        ArrayNode samples = json.putArray("samples");
        long done = 0;
        long passes = 0;
        int next = 0;
        long start = System.nanoTime();
        long nextSample = 0;
        Sample atBaseline = null;
        Sample last = null;
        long maxRssAfterBaseline = 0;
        try (WindowModel net = new MsResNetWindowModel(file, "soak")) {
            while (done < windows) {
                if (done >= nextSample) {
                    last = Sample.take(done, (System.nanoTime() - start) / 1e9);
                    samples.add(last.json());
                    err.println(last.line());
                    err.flush();
                    if (atBaseline == null && done >= from) {
                        atBaseline = last;
                    }
                    if (atBaseline != null) {
                        maxRssAfterBaseline = Math.max(maxRssAfterBaseline, last.rss);
                    }
                    nextSample += sampleEvery;
                }
                int n = (int) Math.min(windows - done, 1 + rnd.nextInt(perSensor));
                List<float[]> in = new ArrayList<>(n);
                List<byte[]> st = new ArrayList<>(n);
                int[] who = new int[n];
                for (int i = 0; i < n; i++) {
                    int s = next;
                    next = (next + 1) % sensors; // distinct sensors in one batch, as the job guarantees
                    who[i] = s;
                    in.add(frames[s][(int) (seen[s]++ % pool)]);
                    st.add(rnd.nextDouble() < freshRate ? null : states[s]);
                }
                List<WindowModel.Result> out = net.forward(in, bins, h, w, st);
                for (int i = 0; i < n; i++) {
                    states[who[i]] = out.get(i).state();
                }
                done += n;
                passes++;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            last = Sample.take(done, seconds);
            samples.add(last.json());
            err.println(last.line());
            maxRssAfterBaseline = Math.max(maxRssAfterBaseline, last.rss);
            json.put("windows_per_s", round(done / seconds));
            json.put("model_buffer_bytes", ((MsResNetWindowModel) net).bufferBytes());
        }
        Sample closed = Sample.take(done, (System.nanoTime() - start) / 1e9);
        if (atBaseline == null) {
            atBaseline = last;
        }
        json.put("model", model != null ? model.toString() : "bundled:" + DemoCommand.BUNDLED_MODEL);
        json.put("windows", done);
        json.put("forward_passes", passes);
        json.put("sensors", sensors);
        json.put("batch", batch);
        json.put("bins", bins);
        json.put("height", h);
        json.put("width", w);
        json.put("threads", Parallel.THREADS);
        json.put("nd4j_threads", Nd4j.getEnvironment().maxThreads());
        json.put("omp_wait_policy", String.valueOf(System.getenv("OMP_WAIT_POLICY")));
        json.put("max_heap_bytes", Runtime.getRuntime().maxMemory());
        json.put("baseline_window", atBaseline.window);
        json.put("rss_at_baseline_bytes", atBaseline.rss);
        json.put("rss_end_bytes", last.rss);
        json.put("rss_max_after_baseline_bytes", maxRssAfterBaseline);
        json.put("rss_growth_bytes", last.rss - atBaseline.rss);
        json.put("rss_growth_goal_bytes", GOAL_BYTES);
        json.put("rss_growth_within_goal", last.rss - atBaseline.rss <= GOAL_BYTES);
        json.put("nd4j_bytes_at_baseline", atBaseline.nd4j);
        json.put("nd4j_bytes_end", last.nd4j);
        json.put("nd4j_bytes_after_close", closed.nd4j);
        json.put("javacpp_bytes_after_close", closed.javacpp);
        json.put("rss_after_close_bytes", closed.rss);
        // samples last, so that the summary heads the object
        json.remove("samples");
        json.set("samples", samples);
        spec.commandLine().getOut().println(json.toString());
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    /** One sensor's window [bins, 2, h, w]: sparse event counts around a spot that differs per sensor. */
    private float[] window(SplittableRandom rnd, int bins, int h, int w, int sensor) {
        float[] f = new float[bins * 2 * h * w];
        for (int i = 0; i < f.length; i++) {
            if (rnd.nextDouble() < density) {
                f[i] = 1 + rnd.nextInt(3);
            }
        }
        // a brighter patch, so different sensors drive the network differently
        int cy = (sensor * 7) % h;
        int cx = (sensor * 13) % w;
        for (int k = 0; k < bins; k++) {
            for (int y = Math.max(0, cy - 4); y < Math.min(h, cy + 4); y++) {
                for (int x = Math.max(0, cx - 4); x < Math.min(w, cx + 4); x++) {
                    f[((k * 2 + (x + y) % 2) * h + y) * w + x] += 1;
                }
            }
        }
        return f;
    }

    private static Path bundledModel() throws IOException {
        String name = DemoCommand.BUNDLE + DemoCommand.BUNDLED_MODEL;
        try (InputStream in = BenchSoakCommand.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("the bundled model (" + name + ") is not in this build; pass --model");
            }
            Path tmp = Files.createTempFile("spikestream-soak-", ".safetensors");
            tmp.toFile().deleteOnExit();
            Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return tmp;
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** One memory sample. */
    private record Sample(long window, double seconds, long heapUsed, long heapCommitted, long nonHeapCommitted, long nd4j,
            long javacpp, long rss) {
        static Sample take(long window, double seconds) {
            MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
            return new Sample(window, seconds, heap.getUsed(), heap.getCommitted(), nonHeap.getCommitted(),
                    Nd4j.getMemoryManager().allocatedMemory(0), Pointer.totalBytes(), residentBytes());
        }

        ObjectNode json() {
            ObjectNode o = new ObjectMapper().createObjectNode();
            o.put("window", window);
            o.put("seconds", round(seconds));
            o.put("heap_used_bytes", heapUsed);
            o.put("heap_committed_bytes", heapCommitted);
            o.put("non_heap_committed_bytes", nonHeapCommitted); // metaspace, JIT code cache
            o.put("nd4j_bytes", nd4j);
            o.put("javacpp_bytes", javacpp);
            o.put("rss_bytes", rss);
            return o;
        }

        String line() {
            return String.format(Locale.ROOT, "soak: window %d, %.0f s: rss %.1f MB, heap %.1f/%.1f MB, non-heap %.1f MB, nd4j %.1f MB, javacpp %.1f MB",
                    window, seconds, rss / 1e6, heapUsed / 1e6, heapCommitted / 1e6, nonHeapCommitted / 1e6, nd4j / 1e6, javacpp / 1e6);
        }
    }

    /** VmRSS of /proc/self/status (Linux); JavaCPP's estimate elsewhere. */
    static long residentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    String[] parts = line.substring(6).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        return Pointer.physicalBytes();
    }
}
