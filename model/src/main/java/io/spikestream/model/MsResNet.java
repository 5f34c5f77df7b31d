package io.spikestream.model;

import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MS-ResNet inference (Hu et al., spiking ResNet with membrane shortcuts) on ND4J, exactly as the
 * reference defines it (see the fixtures README): stem conv(s) + tdBN, blocks whose output is the
 * membrane sum {@code residual(x) + shortcut(x)} with LIF → conv → tdBN → LIF → conv → tdBN on the
 * residual path, head LIF → spatial mean → mean over the window's timesteps → fc.
 *
 * <p>Every convolution runs once per window over all K·N frames ({@code [K, N, C, H, W]} viewed as
 * {@code [K·N, C, H, W]}), with tdBN folded into its weights; only the LIF layers step through
 * time. Each sample brings its own {@link MembraneState}, so one batch may mix sensors.
 *
 * <p>The two convolutions of each block read binary spikes. Each runs either densely (ND4J conv2d)
 * or spike-driven ({@link SpikeConv}: work proportional to the spike count), chosen per layer and
 * window by a {@link ConvCost} model whose costs are measured on this machine the first time a
 * window shape is seen; the choice is then a function of the window's spike count only, so an
 * instance computes the same input the same way every time. {@code -Dspikestream.conv=dense|sparse}
 * forces one path (default {@code auto}); on a non-CPU backend it is always dense.
 * {@link #layerTimings()} reports where the time went.
 *
 * <p>Buffers for a window shape are allocated on first use and reused (a few shapes are kept), so
 * steady-state streaming allocates no ND4J memory. Not thread-safe: use one instance per thread
 * (one per Flink subtask); instances share nothing mutable.
 */
public final class MsResNet {
    private static final int KEPT_PLANS = 4;

    /** How convolutions on spikes are computed: chosen by the cost model, or forced. */
    enum ConvMode {
        AUTO, DENSE, SPARSE;

        static ConvMode fromProperty() {
            String v = System.getProperty("spikestream.conv", "auto").trim().toLowerCase(java.util.Locale.ROOT);
            return switch (v) {
                case "auto" -> AUTO;
                case "dense" -> DENSE;
                case "sparse" -> SPARSE;
                default -> throw new IllegalArgumentException("-Dspikestream.conv must be auto, dense or sparse, was " + v);
            };
        }
    }

    /** One residual block: two convs on the residual path, an optional shortcut conv. */
    private record Block(String name, int lifA, int lifB, FoldedConv convA, FoldedConv convB, FoldedConv shortcut,
            boolean avgpool) {}

    private final ModelCard card;
    private final Precision precision;
    private final DataType type;
    private final List<FoldedConv> stem = new ArrayList<>();
    private final List<Block> blocks = new ArrayList<>();
    private final int headLif;
    private final double[] fcW;
    private final double[] fcB;
    private float[] frameScratchF = new float[0];
    private double[] frameScratchD = new double[0];
    private final LifKernel lif;
    private final ConvMode convMode;
    private final Map<List<Integer>, Plan> plans = new LinkedHashMap<>(8, 0.75f, true);
    /** Measured path costs per window shape {@code (K, N, H, W)}, kept for the life of the instance (small). */
    private final Map<List<Integer>, Calibration> costs = new java.util.HashMap<>();

    /** What {@link #calibrate} measured for one window shape: conv path costs per timing slot, LIF parts per LIF layer. */
    private record Calibration(ConvCost[] convs, int[] lifParts) {}
    private final Timings timings;
    /** ND4J op threads forced by {@code -Dspikestream.nd4j.threads=N}, or 0: measured per layer (CPU backend). */
    private final int forcedOpThreads;
    /** The calling thread's own ND4J op threads, read when a forward pass starts, and those set now. */
    private int opThreadsDefault;
    private int opThreadsNow;

    /** Builds the network from weights that match {@code card} (tdBN folded into the convs here). */
    public MsResNet(ModelCard card, ModelWeights weights, Precision precision) {
        this.card = card;
        this.precision = precision;
        this.type = precision.dataType();
        double eps = card.bnEps();
        if (card.stem().type() == ModelCard.StemType.CONV7) {
            stem.add(FoldedConv.fold(weights, "conv1.0", false, "conv1.1", eps, 2, 3, type));
        } else {
            stem.add(FoldedConv.fold(weights, "conv1.0", true, null, eps, 2, 1, type));
            stem.add(FoldedConv.fold(weights, "conv1.1", true, null, eps, 1, 1, type));
            stem.add(FoldedConv.fold(weights, "conv1.2", true, "conv1.3", eps, 1, 1, type));
        }
        int lifIndex = 0;
        for (int i = 0; i < card.stages().size(); i++) {
            for (int b = 0; b < card.stages().get(i).blocks(); b++) {
                String name = StateDict.blockName(i, b);
                int stride = StateDict.stride(b);
                FoldedConv a = FoldedConv.fold(weights, name + ".residual_function.1", false, name + ".residual_function.2", eps, stride, 1, type);
                FoldedConv c = FoldedConv.fold(weights, name + ".residual_function.4", false, name + ".residual_function.5", eps, 1, 1, type);
                FoldedConv sc = null;
                boolean avgpool = false;
                if (StateDict.hasShortcut(card, i, b)) {
                    String[] m = StateDict.shortcutModules(card, i, b);
                    avgpool = card.shortcut() == ModelCard.Shortcut.AVGPOOL;
                    sc = FoldedConv.fold(weights, m[0], false, m[1], eps, avgpool ? 1 : stride, 0, type);
                }
                blocks.add(new Block(name, lifIndex, lifIndex + 1, a, c, sc, avgpool));
                lifIndex += 2;
            }
        }
        headLif = lifIndex;
        // fc in float64 from the values the model computes in (float32 weights stay float32 values)
        fcW = weights.get("fc.weight").castTo(type).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        fcB = weights.get("fc.bias").castTo(type).castTo(DataType.DOUBLE).dup('c').data().asDouble();
        lif = LifKernel.forBackend(card.lif().vTh(), card.lif().decay());
        convMode = LifKernel.hostMemory() ? ConvMode.fromProperty() : ConvMode.DENSE;
        forcedOpThreads = LifKernel.hostMemory() ? opThreadsFromProperty() : 0;
        timings = new Timings();
    }

    private static int opThreadsFromProperty() {
        String v = System.getProperty("spikestream.nd4j.threads", "auto").trim();
        if (v.equalsIgnoreCase("auto")) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("-Dspikestream.nd4j.threads must be auto or a positive whole number, was " + v);
    }

    /** Loads a model file (card in its metadata). */
    public static MsResNet load(Path modelFile, Precision precision) throws IOException {
        ModelFile f = ModelFile.read(modelFile);
        return new MsResNet(f.card(), f.weights(), precision);
    }

    /** Loads weights with the card from {@code cardFile} (or from the weights' metadata when null). */
    public static MsResNet load(Path weightsFile, Path cardFile, Precision precision) throws IOException {
        ModelFile f = ModelFile.read(weightsFile, cardFile);
        return new MsResNet(f.card(), f.weights(), precision);
    }

    public ModelCard card() {
        return card;
    }

    public Precision precision() {
        return precision;
    }

    /** Number of LIF layers (index {@code Lxx} in forward order). */
    public int lifLayers() {
        return headLif + 1;
    }

    /** A fresh state for a sensor whose frames are {@code height × width}. */
    public MembraneState newState(int height, int width) {
        return MembraneState.zeros(precision, geometry(height, width).lifShapes);
    }

    /** {@code {C, H, W}} of every LIF layer for frames of {@code height × width}. */
    public int[][] lifShapes(int height, int width) {
        int[][] s = geometry(height, width).lifShapes;
        int[][] copy = new int[s.length][];
        for (int i = 0; i < s.length; i++) {
            copy[i] = s[i].clone();
        }
        return copy;
    }

    /** Bytes of ND4J memory this instance holds: folded weights plus the buffers of the window shapes seen so far. */
    public long bufferBytes() {
        long bytes = 0;
        for (FoldedConv c : stem) {
            bytes += c.parameterCount() * precision.bytes();
        }
        for (Block b : blocks) {
            bytes += (b.convA.parameterCount() + b.convB.parameterCount()
                    + (b.shortcut == null ? 0 : b.shortcut.parameterCount())) * precision.bytes();
        }
        for (Plan p : plans.values()) {
            for (INDArray a : p.all) {
                bytes += a.length() * precision.bytes();
            }
        }
        return bytes;
    }

    /** Dense floating-point operations (2 per multiply-accumulate) of one frame, as benchmarks count them. */
    public double flopsPerFrame(int height, int width) {
        Geometry g = geometry(height, width);
        double spikeConvs = 0;
        for (double ac : g.acPerFrame) {
            spikeConvs += ac;
        }
        return 2.0 * (spikeConvs + g.macPerFrame) + 2.0 * card.numClasses() * card.featureChannels();
    }

    /** Forward without a probe; see {@link #forward(INDArray, List, ActivationProbe)}. */
    public WindowResult forward(INDArray frames, List<MembraneState> states) {
        return forward(frames, states, null);
    }

    /**
     * Runs one window. {@code frames[k, n]} is timestep k of sample n ({@code [K, N, C, H, W]});
     * {@code states.get(n)} is sample n's state, updated in place. Frames of another data type are
     * converted.
     */
    public WindowResult forward(INDArray frames, List<MembraneState> states, ActivationProbe probe) {
        if (frames.rank() != 5) {
            throw new IllegalArgumentException("frames must be [K, N, C, H, W], got shape " + Arrays.toString(frames.shape()));
        }
        long[] s = frames.shape();
        Plan p = plan((int) s[0], (int) s[1], (int) s[2], (int) s[3], (int) s[4], states);
        INDArray x = p.input;
        x.assign(frames.reshape('c', s[0] * s[1], s[2], s[3], s[4]));
        return run(p, states, probe);
    }

    /**
     * Runs one window from a plain array: {@code frames} in C order {@code [K, N, C, H, W]} (C =
     * the card's input channels), so callers need not know ND4J.
     */
    public WindowResult forward(float[] frames, int steps, int batch, int height, int width, List<MembraneState> states) {
        long expected = (long) steps * batch * card.inChannels() * height * width;
        if (frames.length != expected) {
            throw new IllegalArgumentException("frames hold " + frames.length + " values, [" + steps + ", " + batch + ", "
                    + card.inChannels() + ", " + height + ", " + width + "] needs " + expected);
        }
        Plan p = plan(steps, batch, card.inChannels(), height, width, states);
        if (type == DataType.FLOAT && LifKernel.hostMemory()) {
            p.input.data().asNioFloat().put((int) p.input.offset(), frames);
        } else if (type == DataType.FLOAT) {
            p.input.data().setData(frames);
        } else {
            p.input.assign(Nd4j.create(frames, p.input.shape(), 'c'));
        }
        return run(p, states, null);
    }

    private Plan plan(int steps, int batch, int channels, int height, int width, List<MembraneState> states) {
        if (channels != card.inChannels()) {
            throw new IllegalArgumentException("frames have " + channels + " channels, the model expects " + card.inChannels());
        }
        if (steps <= 0 || batch <= 0) {
            throw new IllegalArgumentException("a window needs at least one timestep and one sample, got K=" + steps + ", N=" + batch);
        }
        if (states.size() != batch) {
            throw new IllegalArgumentException(batch + " samples but " + states.size() + " membrane states");
        }
        // One set of buffers per window shape (K, H, W), sized for the largest batch seen; smaller
        // batches run on prefix views of it, cached per batch size. A classifier whose batches hold 1..8
        // windows therefore allocates once, instead of a plan per batch size evicted in turn (each
        // allocation and release of tens of MB churns the native heap and grows the resident set).
        List<Integer> key = List.of(steps, height, width);
        Plan base = plans.get(key);
        if (base == null || base.batch < batch) {
            if (base != null) {
                plans.remove(key);
                base.close();
            }
            base = new Plan(steps, batch, geometry(height, width), null);
            plans.put(key, base);
            if (plans.size() > KEPT_PLANS) {
                var eldest = plans.entrySet().iterator().next();
                plans.remove(eldest.getKey());
                eldest.getValue().close();
            }
        }
        Plan p = base.forBatch(batch);
        if (p.costs == null && convMode == ConvMode.AUTO) {
            // the path costs depend on the batch too: calibrated once per window shape and batch size
            List<Integer> costKey = List.of(steps, batch, height, width);
            Calibration c = costs.get(costKey);
            if (c == null) {
                c = calibrate(p);
                costs.put(costKey, c);
            }
            p.costs = c.convs();
            p.lifParts = c.lifParts();
        }
        for (int n = 0; n < batch; n++) {
            MembraneState st = states.get(n);
            if (st.precision() != precision) {
                throw new IllegalArgumentException("membrane state " + n + " is " + st.precision() + ", the model computes in " + precision);
            }
            if (!Arrays.deepEquals(st.shapes(), p.geometry.lifShapes)) {
                throw new IllegalArgumentException("membrane state " + n + " does not fit " + height + "x" + width
                        + " frames of this model (layer shapes differ)");
            }
        }
        return p;
    }

    private WindowResult run(Plan p, List<MembraneState> states, ActivationProbe probe) {
        if (!LifKernel.hostMemory()) {
            return runLayers(p, states, probe);
        }
        // ND4J ops of this pass run on the thread counts measured per layer; the thread's own count comes back after
        opThreadsDefault = OpThreads.current();
        opThreadsNow = opThreadsDefault;
        try {
            return runLayers(p, states, probe);
        } finally {
            opThreads(0);
        }
    }

    /** Sets the ND4J op threads of the calling thread to {@code n} (0: its own count) when they differ (host memory only). */
    private void opThreads(int n) {
        int want = n > 0 ? n : opThreadsDefault;
        if (want != opThreadsNow && want > 0) {
            OpThreads.set(want);
            opThreadsNow = want;
        }
    }

    private WindowResult runLayers(Plan p, List<MembraneState> states, ActivationProbe probe) {
        int k = p.steps;
        int n = p.batch;
        INDArray[][] u = new INDArray[lifLayers()][n];
        INDArray[][] sp = new INDArray[lifLayers()][n];
        for (int l = 0; l < lifLayers(); l++) {
            for (int i = 0; i < n; i++) {
                u[l][i] = states.get(i).u(l);
                sp[l][i] = states.get(i).s(l);
            }
        }
        Timings tm = timings;
        long t0 = System.nanoTime();
        INDArray x = p.input;
        for (int i = 0; i < stem.size(); i++) {
            if (i == 0) {
                // the first stem conv reads event counts: sparse too, but not binary
                t0 = conv(p, 0, stem.get(0), x, p.stem[0], null, countNonZero(x), false, t0);
            } else {
                stem.get(i).apply(x, p.stem[i]);
                t0 = tm.add(i, t0);
            }
            x = p.stem[i];
        }
        show(probe, "conv1", x, k, n);
        t0 = System.nanoTime();
        for (int b = 0; b < blocks.size(); b++) {
            Block blk = blocks.get(b);
            BlockBuffers bb = p.blocks[b];
            int slot = tm.block(b);
            lif.run(x, k, n, u[blk.lifA], sp[blk.lifA], bb.spikesA, p.counts[blk.lifA], p.lifParts(blk.lifA));
            t0 = tm.add(slot, t0);
            t0 = conv(p, slot + 1, blk.convA, bb.spikesA, bb.residualA, null, sum(p.counts[blk.lifA], k * n), true, t0);
            lif.run(bb.residualA, k, n, u[blk.lifB], sp[blk.lifB], bb.spikesB, p.counts[blk.lifB], p.lifParts(blk.lifB));
            t0 = tm.add(slot + 2, t0);
            // the shortcut first, so that the last conv can add it to its own output in one pass
            INDArray shortcut = x;
            if (blk.shortcut != null) {
                INDArray in = x;
                if (blk.avgpool) {
                    avgpool2x2(x, bb.pooled);
                    in = bb.pooled;
                }
                t0 = conv(p, slot + 4, blk.shortcut, in, bb.shortcut, null, -1, false, t0);
                shortcut = bb.shortcut;
            }
            t0 = conv(p, slot + 3, blk.convB, bb.spikesB, bb.out, shortcut, sum(p.counts[blk.lifB], k * n), true, t0);
            x = bb.out;
            if (probe != null) {
                show(probe, blk.name, x, k, n);
                t0 = System.nanoTime();
            }
        }
        lif.run(x, k, n, u[headLif], sp[headLif], p.headSpikes, p.counts[headLif], p.lifParts(headLif));
        t0 = tm.add(tm.head(), t0);
        head(p);
        tm.add(tm.head() + 1, t0);
        return result(p, states);
    }

    private static long sum(long[] counts, int rows) {
        long total = 0;
        for (int r = 0; r < rows; r++) {
            total += counts[r];
        }
        return total;
    }

    /** Non-zero values of the window's input frames (the stem's "spikes"). */
    private long countNonZero(INDArray a) {
        if (convMode == ConvMode.DENSE) {
            return 0;
        }
        int len = (int) a.length();
        long nz = 0;
        if (type == DataType.FLOAT) {
            if (frameScratchF.length < len) {
                frameScratchF = new float[len];
            }
            a.data().asNioFloat().get((int) a.offset(), frameScratchF, 0, len);
            for (int i = 0; i < len; i++) {
                nz += frameScratchF[i] != 0 ? 1 : 0;
            }
        } else {
            if (frameScratchD.length < len) {
                frameScratchD = new double[len];
            }
            a.data().asNioDouble().get((int) a.offset(), frameScratchD, 0, len);
            for (int i = 0; i < len; i++) {
                nz += frameScratchD[i] != 0 ? 1 : 0;
            }
        }
        return nz;
    }

    /**
     * {@code out = conv(in) (+ addend)}, by ND4J's conv2d or by this package's Java kernel
     * ({@link SpikeConv} when {@code active >= 0}: the input has {@code active} non-zeros, binary
     * when {@code binary}; {@link PointConv} for a 1×1 shortcut, {@code active < 0}), whichever the
     * cost model of timing slot {@code slot} predicts faster. Returns the time after it.
     */
    private long conv(Plan p, int slot, FoldedConv conv, INDArray in, INDArray out, INDArray addend, long active,
            boolean binary, long t0) {
        ConvCost cost = p.costs == null ? null : p.costs[slot];
        long spikes = Math.max(active, 0);
        boolean java = switch (convMode) {
            case DENSE -> false;
            case SPARSE -> true;
            case AUTO -> cost.sparseFaster(spikes);
        };
        int parts = cost == null ? 0 : cost.best(spikes).parts();
        if (java && active >= 0) {
            conv.spikeDriven().apply(in, out, addend, binary, parts);
        } else {
            if (java) {
                conv.pointwise().apply(in, out, parts);
            } else {
                if (LifKernel.hostMemory()) {
                    opThreads(cost == null ? forcedOpThreads : cost.denseThreads());
                }
                conv.apply(in, out);
            }
            if (addend != null) {
                add(out, addend);
            }
        }
        timings.conv(slot, java, Math.max(active, 0), in.length(), cost == null || active < 0 ? Double.NaN
                : cost.breakEvenDensity(in.length()));
        return timings.add(slot, t0);
    }

    /**
     * Measures, for one window shape, what each convolution costs on each path: ND4J's conv on each
     * candidate thread count (the calling thread's own and 1; a small op runs faster on one thread
     * than it takes to wake a second), and the Java kernel split into each candidate number of parts
     * (for a conv on sparse input, with no non-zero and at density {@value #CALIBRATION_DENSITY}). The
     * plan's own buffers are used, before its first window (every window overwrites them). Each
     * timing is the best of several, after the Java kernels have been compiled by the JIT.
     */
    private Calibration calibrate(Plan p) {
        SpikeConv.warmUp(type);
        int own = OpThreads.current();
        try {
            ConvCost[] c = new ConvCost[timings.names.length];
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(1);
            c[0] = measureSparse(stem.get(0), p.input, p.stem[0], null, false, rnd, own);
            for (int b = 0; b < blocks.size(); b++) {
                Block blk = blocks.get(b);
                BlockBuffers bb = p.blocks[b];
                int slot = timings.block(b);
                c[slot + 1] = measureSparse(blk.convA, bb.spikesA, bb.residualA, null, true, rnd, own);
                // the second conv adds the block's shortcut: time that too (spikesB has the output's shape)
                c[slot + 3] = measureSparse(blk.convB, bb.spikesB, bb.out, bb.spikesB, true, rnd, own);
                if (blk.shortcut != null) {
                    INDArray in = blk.avgpool ? bb.pooled : p.blocks[b].spikesA; // block input's shape
                    FoldedConv sc = blk.shortcut;
                    PointConv pc = sc.pointwise();
                    int[] threads = threadCandidates(own);
                    int[] parts = partCandidates(in);
                    List<Runnable> runs = new ArrayList<>();
                    for (int t : threads) {
                        runs.add(() -> {
                            OpThreads.set(t);
                            sc.apply(in, bb.shortcut);
                        });
                    }
                    for (int n : parts) {
                        runs.add(() -> pc.apply(in, bb.shortcut, n));
                    }
                    double[] t = best(runs.toArray(new Runnable[0]));
                    int fastest = argmin(t, 0, threads.length);
                    List<ConvCost.Java> lines = new ArrayList<>();
                    for (int i = 0; i < parts.length; i++) {
                        lines.add(new ConvCost.Java(t[threads.length + i], 0, parts[i]));
                    }
                    c[slot + 4] = new ConvCost(t[fastest], threads[fastest] == own ? 0 : threads[fastest], lines);
                }
            }
            return new Calibration(c, measureLif(p));
        } finally {
            OpThreads.set(own);
        }
    }

    /**
     * Times each LIF layer split into all parts and into one (a small layer runs faster on one thread
     * than it takes to hand half of it to another) on the plan's buffers, with throw-away states.
     */
    private int[] measureLif(Plan p) {
        int[] parts = new int[lifLayers()];
        int k = p.steps;
        int n = p.batch;
        INDArray[] inputs = new INDArray[lifLayers()];
        INDArray[] outputs = new INDArray[lifLayers()];
        INDArray x = p.stem[p.stem.length - 1];
        for (int b = 0; b < blocks.size(); b++) {
            Block blk = blocks.get(b);
            inputs[blk.lifA] = x;
            outputs[blk.lifA] = p.blocks[b].spikesA;
            inputs[blk.lifB] = p.blocks[b].residualA;
            outputs[blk.lifB] = p.blocks[b].spikesB;
            x = p.blocks[b].out;
        }
        inputs[headLif] = x;
        outputs[headLif] = p.headSpikes;
        long[] counts = new long[k * n];
        for (int l = 0; l < lifLayers(); l++) {
            int[] shape = p.geometry.lifShapes[l];
            int most = Parallel.width();
            if (most == 1) {
                parts[l] = 1;
                continue;
            }
            INDArray[] u = new INDArray[n];
            INDArray[] s = new INDArray[n];
            for (int i = 0; i < n; i++) {
                u[i] = Nd4j.create(type, 1, shape[0], shape[1], shape[2]);
                s[i] = Nd4j.create(type, 1, shape[0], shape[1], shape[2]);
            }
            INDArray in = inputs[l];
            INDArray out = outputs[l];
            double[] t = best(() -> lif.run(in, k, n, u, s, out, counts, most), () -> lif.run(in, k, n, u, s, out, counts, 1));
            parts[l] = t[0] < t[1] ? most : 1;
            for (int i = 0; i < n; i++) {
                closeArray(u[i]);
                closeArray(s[i]);
            }
        }
        return parts;
    }

    /** Input density at which the Java kernels' per-spike cost is measured: about the spike rates of trained models. */
    private static final double CALIBRATION_DENSITY = 0.25;

    /** ND4J thread counts to measure: the forced one, else the calling thread's own and 1. */
    private int[] threadCandidates(int own) {
        if (forcedOpThreads > 0) {
            return new int[] {forcedOpThreads};
        }
        return own > 1 ? new int[] {own, 1} : new int[] {own};
    }

    /** Part counts to measure for a Java kernel over the frames of {@code in}: the pass's share of the cores ({@link Parallel#width()}) and 1. */
    private static int[] partCandidates(INDArray in) {
        int most = (int) Math.min(Parallel.width(), in.size(0));
        return most > 1 ? new int[] {most, 1} : new int[] {1};
    }

    private static int argmin(double[] t, int from, int to) {
        int best = from;
        for (int i = from + 1; i < to; i++) {
            if (t[i] < t[best]) {
                best = i;
            }
        }
        return best;
    }

    private ConvCost measureSparse(FoldedConv conv, INDArray in, INDArray out, INDArray addend, boolean binary,
            java.util.SplittableRandom rnd, int own) {
        SpikeConv sc = conv.spikeDriven();
        int[] threads = threadCandidates(own);
        int[] parts = partCandidates(in);
        // the dense conv costs the same on any input; the Java kernel is timed on no spike and at a known density
        in.assign(0);
        List<Runnable> empty = new ArrayList<>();
        for (int n : parts) {
            empty.add(() -> sc.apply(in, out, addend, binary, n));
        }
        double[] e = best(empty.toArray(new Runnable[0]));
        long spikes = fillSpikes(in, CALIBRATION_DENSITY, rnd);
        List<Runnable> runs = new ArrayList<>();
        for (int t : threads) {
            runs.add(() -> {
                OpThreads.set(t);
                conv.apply(in, out);
                if (addend != null) {
                    add(out, addend);
                }
            });
        }
        for (int n : parts) {
            runs.add(() -> sc.apply(in, out, addend, binary, n));
        }
        double[] t = best(runs.toArray(new Runnable[0]));
        int fastest = argmin(t, 0, threads.length);
        List<ConvCost.Java> lines = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            lines.add(ConvCost.Java.fit(e[i], t[threads.length + i], spikes, parts[i]));
        }
        return new ConvCost(t[fastest], threads[fastest] == own ? 0 : threads[fastest], lines);
    }

    private final float[] addF = new float[2 * 4096];
    private final double[] addD = new double[2 * 4096];

    /**
     * {@code out += addend} (same shape, C order): in Java on host memory, where an ND4J op's call
     * costs more than the adds of a small layer; {@code out[i] + addend[i]} either way.
     */
    private void add(INDArray out, INDArray addend) {
        if (!LifKernel.hostMemory()) {
            out.addi(addend);
            return;
        }
        int len = (int) out.length();
        int oo = (int) out.offset();
        int ao = (int) addend.offset();
        if (type == DataType.FLOAT) {
            FloatBuffer ob = out.data().asNioFloat();
            FloatBuffer ab = addend.data().asNioFloat();
            for (int i = 0; i < len; i += 4096) {
                int n = Math.min(4096, len - i);
                ob.get(oo + i, addF, 0, n);
                ab.get(ao + i, addF, 4096, n);
                for (int j = 0; j < n; j++) {
                    addF[j] = addF[j] + addF[4096 + j];
                }
                ob.put(oo + i, addF, 0, n);
            }
        } else {
            DoubleBuffer ob = out.data().asNioDouble();
            DoubleBuffer ab = addend.data().asNioDouble();
            for (int i = 0; i < len; i += 4096) {
                int n = Math.min(4096, len - i);
                ob.get(oo + i, addD, 0, n);
                ab.get(ao + i, addD, 4096, n);
                for (int j = 0; j < n; j++) {
                    addD[j] = addD[j] + addD[4096 + j];
                }
                ob.put(oo + i, addD, 0, n);
            }
        }
    }

    /** Head: pooled spikes per timestep, their mean over the window, fc; in Java (small). */
    private void head(Plan p) {
        int kn = p.steps * p.batch;
        int c = card.featureChannels();
        int[] shape = p.geometry.lifShapes[headLif];
        int hw = shape[1] * shape[2];
        int len = kn * c * hw;
        double[] spikes;
        if (type == DataType.FLOAT) {
            if (frameScratchF.length < len) {
                frameScratchF = new float[len];
            }
            if (LifKernel.hostMemory()) {
                p.headSpikes.data().asNioFloat().get((int) p.headSpikes.offset(), frameScratchF, 0, len);
            } else {
                System.arraycopy(p.headSpikes.data().asFloat(), 0, frameScratchF, 0, len);
            }
            spikes = null;
        } else {
            spikes = LifKernel.hostMemory() ? readDoubles(p.headSpikes, len) : p.headSpikes.data().asDouble();
        }
        double[] pooled = p.pooledValues;
        for (int r = 0; r < kn * c; r++) {
            double count = 0;
            int base = r * hw;
            if (spikes == null) {
                for (int q = 0; q < hw; q++) {
                    count += frameScratchF[base + q];
                }
            } else {
                for (int q = 0; q < hw; q++) {
                    count += spikes[base + q];
                }
            }
            pooled[r] = count / hw;
        }
        int classes = card.numClasses();
        for (int n = 0; n < p.batch; n++) {
            double[] feat = new double[c];
            for (int t = 0; t < p.steps; t++) {
                int row = (t * p.batch + n) * c;
                for (int ch = 0; ch < c; ch++) {
                    feat[ch] += pooled[row + ch];
                }
            }
            for (int ch = 0; ch < c; ch++) {
                feat[ch] /= p.steps;
            }
            for (int j = 0; j < classes; j++) {
                double z = 0;
                for (int ch = 0; ch < c; ch++) {
                    z += feat[ch] * fcW[j * c + ch];
                }
                p.logitValues[n][j] = z + fcB[j];
            }
        }
    }

    private double[] readDoubles(INDArray a, int len) {
        if (frameScratchD.length < len) {
            frameScratchD = new double[len];
        }
        a.data().asNioDouble().get((int) a.offset(), frameScratchD, 0, len);
        return frameScratchD;
    }

    /**
     * Best of 5 to 15 wall-clock timings (after one untimed run) of each of {@code runs}, taken in turn (a, b, a, b, ...) so that
     * a busy machine slows all of them alike; the minimum is the time least disturbed by other work.
     */
    private static double[] best(Runnable... runs) {
        double[] best = new double[runs.length];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        // small ops are timed more often (their timings scatter more), within about 20 ms per op
        long first = 0;
        for (int j = 0; j < runs.length; j++) {
            long t = System.nanoTime();
            runs[j].run();
            first += System.nanoTime() - t;
        }
        int reps = (int) Math.max(5, Math.min(15, 20_000_000L * runs.length / Math.max(1, first)));
        for (int i = 0; i < reps; i++) {
            for (int j = 0; j < runs.length; j++) {
                long t = System.nanoTime();
                runs[j].run();
                best[j] = Math.min(best[j], System.nanoTime() - t);
            }
        }
        return best;
    }

    /** Fills {@code a} with random 0/1 at {@code density}; returns the number of ones. */
    private static long fillSpikes(INDArray a, double density, java.util.SplittableRandom rnd) {
        int len = (int) a.length();
        double[] v = new double[len];
        long ones = 0;
        for (int i = 0; i < len; i++) {
            if (rnd.nextDouble() < density) {
                v[i] = 1;
                ones++;
            }
        }
        a.assign(Nd4j.create(v, a.shape(), 'c').castTo(a.dataType()));
        return ones;
    }

    /** Per-layer time, path and input density of every forward since the last {@link #resetLayerTimings()}. */
    public List<LayerTiming> layerTimings() {
        return timings.snapshot();
    }

    /** Starts {@link #layerTimings()} afresh (e.g. after warm-up). */
    public void resetLayerTimings() {
        timings.reset();
    }

    /** Per-layer accumulated times; slot layout: stem convs, then 5 per block, then head LIF and fc. */
    private final class Timings {
        final String[] names;
        final String[] kinds;
        final long[] nanos;
        final long[] calls;
        final long[] sparse;
        final double[] ones;
        final double[] inputs;
        final double[] breakEven;

        Timings() {
            int slots = stem.size() + 5 * blocks.size() + 2;
            names = new String[slots];
            kinds = new String[slots];
            nanos = new long[slots];
            calls = new long[slots];
            sparse = new long[slots];
            ones = new double[slots];
            inputs = new double[slots];
            breakEven = new double[slots];
            for (int i = 0; i < stem.size(); i++) {
                names[i] = stem.size() == 1 ? "conv1" : "conv1." + i;
                kinds[i] = "stem";
            }
            for (int b = 0; b < blocks.size(); b++) {
                String n = blocks.get(b).name;
                int s = block(b);
                String[] suffix = {".residual_function.0", ".residual_function.1", ".residual_function.3",
                    ".residual_function.4", ".shortcut"};
                String[] kind = {"lif", "conv-spikes", "lif", "conv-spikes", "shortcut"};
                for (int j = 0; j < 5; j++) {
                    names[s + j] = n + suffix[j];
                    kinds[s + j] = kind[j];
                }
            }
            names[head()] = "mem_update";
            kinds[head()] = "lif";
            names[head() + 1] = "fc";
            kinds[head() + 1] = "head";
        }

        int block(int b) {
            return stem.size() + 5 * b;
        }

        int head() {
            return stem.size() + 5 * blocks.size();
        }

        /** Adds the time since {@code t0} to {@code slot}; returns now. */
        long add(int slot, long t0) {
            long now = System.nanoTime();
            nanos[slot] += now - t0;
            calls[slot]++;
            return now;
        }

        void conv(int slot, boolean wasSparse, long active, long total, double be) {
            if (wasSparse) {
                sparse[slot]++;
            }
            ones[slot] += active;
            inputs[slot] += total;
            breakEven[slot] = be;
        }

        void reset() {
            java.util.Arrays.fill(nanos, 0);
            java.util.Arrays.fill(calls, 0);
            java.util.Arrays.fill(sparse, 0);
            java.util.Arrays.fill(ones, 0);
            java.util.Arrays.fill(inputs, 0);
        }

        List<LayerTiming> snapshot() {
            List<LayerTiming> out = new ArrayList<>();
            for (int i = 0; i < names.length; i++) {
                if (kinds[i].equals("shortcut") && calls[i] == 0) {
                    continue; // identity shortcut
                }
                boolean spikes = kinds[i].equals("conv-spikes") || i == 0;
                out.add(new LayerTiming(names[i], kinds[i], calls[i], sparse[i],
                        spikes && inputs[i] > 0 ? ones[i] / inputs[i] : Double.NaN,
                        spikes && convMode == ConvMode.AUTO ? breakEven[i] : Double.NaN, nanos[i] / 1e6));
            }
            return out;
        }
    }

    private static void show(ActivationProbe probe, String name, INDArray x, int k, int n) {
        if (probe != null) {
            long[] s = x.shape();
            probe.activation(name, x.reshape('c', k, n, s[1], s[2], s[3]));
        }
    }

    private static void avgpool2x2(INDArray in, INDArray out) {
        Nd4j.exec(DynamicCustomOp.builder("avgpool2d")
                .addInputs(in)
                .addOutputs(out)
                // kH, kW, sH, sW, pH, pW, dH, dW, same-mode off, divisor mode, NCHW
                .addIntegerArguments(2, 2, 2, 2, 0, 0, 1, 1, 0, 0, 0)
                .build());
    }

    private WindowResult result(Plan p, List<MembraneState> states) {
        int k = p.steps;
        int n = p.batch;
        int c = card.featureChannels();
        // Java-side conversions: no ND4J memory per window
        double[][] logits = new double[n][];
        for (int i = 0; i < n; i++) {
            logits[i] = p.logitValues[i].clone();
        }
        double[] pooledFlat = p.pooledValues;
        double[][][] pooled = new double[k][n][];
        for (int t = 0; t < k; t++) {
            for (int i = 0; i < n; i++) {
                pooled[t][i] = Arrays.copyOfRange(pooledFlat, (t * n + i) * c, (t * n + i + 1) * c);
            }
        }
        int layers = lifLayers();
        long[][][] counts = new long[layers][k][n];
        for (int l = 0; l < layers; l++) {
            for (int t = 0; t < k; t++) {
                System.arraycopy(p.counts[l], t * n, counts[l][t], 0, n);
            }
        }
        Geometry g = p.geometry;
        List<WindowStats> stats = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] rate = new double[layers];
            double spikes = 0;
            double sops = 0;
            for (int l = 0; l < layers; l++) {
                long sum = 0;
                for (int t = 0; t < k; t++) {
                    sum += counts[l][t][i];
                }
                spikes += sum;
                rate[l] = sum / ((double) g.neurons[l] * k);
                sops += rate[l] * g.acPerFrame[l] * k;
            }
            double macs = g.macPerFrame * (double) k + (double) card.numClasses() * c;
            stats.add(WindowStats.of(rate, spikes / g.totalNeurons, sops, macs));
        }
        return new WindowResult(k, n, logits, pooled, counts, List.copyOf(states), List.copyOf(stats));
    }

    /**
     * Frees the native memory of the folded weights and of every window-shape buffer now, not at
     * some later garbage collection (a Flink task that is cancelled and restarted loads a new
     * network each time). The network must not be used afterwards.
     */
    public void close() {
        for (Plan p : plans.values()) {
            p.close();
        }
        plans.clear();
        for (FoldedConv c : stem) {
            c.close();
        }
        for (Block b : blocks) {
            b.convA.close();
            b.convB.close();
            if (b.shortcut != null) {
                b.shortcut.close();
            }
        }
    }

    static void closeArray(INDArray a) {
        if (a != null && !a.wasClosed() && a.closeable()) {
            a.close();
        }
    }

    /** Sizes that depend on the frame size: LIF shapes, neurons and operation counts per frame. */
    private static final class Geometry {
        final int height;
        final int width;
        final int[][] stemOut; // {C, H, W} after each stem conv
        final int[][] blockIn;
        final int[][] blockOut;
        final int[][] lifShapes;
        final long[] neurons;
        final long totalNeurons;
        final double[] acPerFrame; // accumulates of the conv fed by each LIF layer's spikes
        final double macPerFrame; // stem and shortcut multiply-accumulates

        Geometry(int height, int width, int[][] stemOut, int[][] blockIn, int[][] blockOut, int[][] lifShapes,
                double[] acPerFrame, double macPerFrame) {
            this.height = height;
            this.width = width;
            this.stemOut = stemOut;
            this.blockIn = blockIn;
            this.blockOut = blockOut;
            this.lifShapes = lifShapes;
            this.acPerFrame = acPerFrame;
            this.macPerFrame = macPerFrame;
            this.neurons = new long[lifShapes.length];
            long total = 0;
            for (int l = 0; l < lifShapes.length; l++) {
                neurons[l] = (long) lifShapes[l][0] * lifShapes[l][1] * lifShapes[l][2];
                total += neurons[l];
            }
            this.totalNeurons = total;
        }
    }

    private Geometry geometry(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("frame size must be positive, was " + height + "x" + width);
        }
        int[][] stemOut = new int[stem.size()][];
        int h = height;
        int w = width;
        double macs = 0;
        for (int i = 0; i < stem.size(); i++) {
            FoldedConv c = stem.get(i);
            h = c.outSize(h);
            w = c.outSize(w);
            checkSize(h, w, height, width, "conv1");
            stemOut[i] = new int[] {c.out, h, w};
            macs += c.macsPerFrame(h, w);
        }
        int[][] blockIn = new int[blocks.size()][];
        int[][] blockOut = new int[blocks.size()][];
        int[][] lifShapes = new int[lifLayers()][];
        double[] ac = new double[lifLayers()];
        int channels = stem.get(stem.size() - 1).out;
        for (int b = 0; b < blocks.size(); b++) {
            Block blk = blocks.get(b);
            blockIn[b] = new int[] {channels, h, w};
            lifShapes[blk.lifA] = new int[] {channels, h, w};
            int ho = blk.convA.outSize(h);
            int wo = blk.convA.outSize(w);
            checkSize(ho, wo, height, width, blk.name);
            ac[blk.lifA] = blk.convA.macsPerFrame(ho, wo);
            lifShapes[blk.lifB] = new int[] {blk.convA.out, ho, wo};
            ac[blk.lifB] = blk.convB.macsPerFrame(ho, wo);
            if (blk.shortcut != null) {
                if (blk.avgpool && (h % 2 != 0 || w % 2 != 0)) {
                    throw new IllegalArgumentException(height + "x" + width + " frames give an odd " + h + "x" + w + " input to "
                            + blk.name + ", whose 2x2 average-pool shortcut needs even sizes");
                }
                macs += blk.shortcut.macsPerFrame(ho, wo);
            }
            blockOut[b] = new int[] {blk.convB.out, ho, wo};
            channels = blk.convB.out;
            h = ho;
            w = wo;
        }
        lifShapes[headLif] = new int[] {channels, h, w};
        return new Geometry(height, width, stemOut, blockIn, blockOut, lifShapes, ac, macs);
    }

    private static void checkSize(int h, int w, int height, int width, String where) {
        if (h <= 0 || w <= 0) {
            throw new IllegalArgumentException(height + "x" + width + " frames are too small: " + where + " would be " + h + "x" + w);
        }
    }

    /** Buffers of one block for one window shape. */
    private static final class BlockBuffers {
        INDArray spikesA;
        INDArray residualA;
        INDArray spikesB;
        INDArray out;
        INDArray shortcut;
        INDArray pooled;
    }

    /** Everything a window of one shape needs, allocated once and reused. */
    private final class Plan {
        final int steps;
        final int batch;
        final Geometry geometry;
        final INDArray input;
        final INDArray[] stem;
        final BlockBuffers[] blocks;
        final INDArray headSpikes;
        final double[] pooledValues;
        final double[][] logitValues;
        final long[][] counts;
        /** Path costs of the convolutions on spikes (2 per block), or null when the path is forced. */
        ConvCost[] costs;
        /** Parts each LIF layer is split into, measured fastest (null when the conv path is forced: the kernel's own choice). */
        int[] lifParts;

        int lifParts(int layer) {
            return lifParts == null ? 0 : lifParts[layer];
        }
        private final List<INDArray> all = new ArrayList<>();
        /** Null for a plan that owns its buffers; else the plan whose buffers this one's are prefix views of. */
        private final Plan base;
        private int next;
        /** Views of this (owning) plan for smaller batches, by batch size. */
        private final Map<Integer, Plan> views = new java.util.HashMap<>();

        Plan(int steps, int batch, Geometry g, Plan base) {
            this.steps = steps;
            this.batch = batch;
            this.geometry = g;
            this.base = base;
            long kn = (long) steps * batch;
            input = alloc(kn, card.inChannels(), g.height, g.width);
            stem = new INDArray[g.stemOut.length];
            for (int i = 0; i < stem.length; i++) {
                stem[i] = alloc(kn, g.stemOut[i][0], g.stemOut[i][1], g.stemOut[i][2]);
            }
            blocks = new BlockBuffers[MsResNet.this.blocks.size()];
            for (int b = 0; b < blocks.length; b++) {
                Block blk = MsResNet.this.blocks.get(b);
                int[] in = g.blockIn[b];
                int[] out = g.blockOut[b];
                BlockBuffers bb = new BlockBuffers();
                bb.spikesA = alloc(kn, in[0], in[1], in[2]);
                bb.residualA = alloc(kn, out[0], out[1], out[2]);
                bb.spikesB = alloc(kn, out[0], out[1], out[2]);
                bb.out = alloc(kn, out[0], out[1], out[2]);
                if (blk.shortcut != null) {
                    bb.shortcut = alloc(kn, out[0], out[1], out[2]);
                    if (blk.avgpool) {
                        bb.pooled = alloc(kn, in[0], in[1] / 2, in[2] / 2);
                    }
                }
                blocks[b] = bb;
            }
            int[] head = g.lifShapes[headLif];
            headSpikes = alloc(kn, head[0], head[1], head[2]);
            pooledValues = new double[(int) kn * head[0]];
            logitValues = new double[batch][card.numClasses()];
            counts = new long[lifLayers()][(int) kn];
        }

        private INDArray alloc(long... shape) {
            INDArray a;
            if (base == null) {
                a = Nd4j.create(type, shape, 'c');
            } else {
                // the first rows of the owner's C-order buffer: same memory, offset 0, a smaller leading size
                a = Nd4j.create(base.all.get(next++).data(), shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
            }
            all.add(a);
            return a;
        }

        /** This plan when it has {@code n} samples, else the (cached) view of it for {@code n <= batch}. */
        Plan forBatch(int n) {
            if (n == batch) {
                return this;
            }
            return views.computeIfAbsent(n, m -> new Plan(steps, m, geometry, this));
        }

        void close() {
            views.clear();
            if (base == null) {
                for (INDArray a : all) {
                    closeArray(a);
                }
            }
        }
    }
}
