package io.spikestream.pipeline.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelFile;
import io.spikestream.model.Parallel;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import io.spikestream.model.WindowStats;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link WindowModel} over the ND4J MS-ResNet of the {@code model} module: interleaves the
 * sensors' windows into the network's {@code [K, N, C, H, W]} input and converts membrane states
 * to and from their byte form at this boundary.
 *
 * <p>The model file's {@code __metadata__} holds the card ({@code card}), the framing spec
 * ({@code framing}, see {@link FramingSpec#METADATA_KEY}) and optionally the class names
 * ({@code class_names}, a JSON array) and an id ({@code model_id}).
 */
public final class MsResNetWindowModel implements WindowModel {
    /** Metadata key of the class names (JSON array of strings, in output order). */
    public static final String CLASS_NAMES_KEY = "class_names";
    /** Metadata key of a human-readable model id/version. */
    public static final String MODEL_ID_KEY = "model_id";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MsResNet net;
    private final List<String> classNames;
    private final String id;
    private final List<String> layerNames;
    /** The network's input, [K, N, 2, H, W], one array per size in use (batches of 1..N windows). */
    private final java.util.Map<Integer, float[]> inputs = new java.util.HashMap<>();
    private final List<MembraneState> slots = new ArrayList<>();
    private int slotHeight = -1;
    private int slotWidth = -1;

    public MsResNetWindowModel(ModelFile file, String id) {
        this.net = new MsResNet(file.card(), file.weights(), Precision.F32);
        this.classNames = classNames(file);
        this.id = id;
        List<String> names = new ArrayList<>();
        for (int l = 0; l < net.lifLayers(); l++) {
            names.add(io.spikestream.model.ModelCard.lifLabel(l));
        }
        this.layerNames = List.copyOf(names);
    }

    /** Loads the model named by the job config (the loader the job ships to the task managers). */
    public static WindowModel load(JobConfig config) {
        Path path = Path.of(config.modelPath());
        try {
            ModelFile file = ModelFile.read(path);
            String id = file.metadata().getOrDefault(MODEL_ID_KEY, path.getFileName().toString());
            return new MsResNetWindowModel(file, id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load model " + path + ": " + e.getMessage(), e);
        }
    }

    /** The framing spec stored in a model file, or null when it has none. */
    public static FramingSpec framing(ModelFile file) {
        String json = file.metadata().get(FramingSpec.METADATA_KEY);
        return json == null ? null : FramingSpec.fromJson(json);
    }

    /** Class names from the metadata, else {@code class 0 .. class n-1} (see {@link #storedClassNames}). */
    public static List<String> classNames(ModelFile file) {
        List<String> stored = storedClassNames(file);
        return stored != null ? stored : numberedClassNames(file.card().numClasses());
    }

    /**
     * The class names the model file carries ({@value #CLASS_NAMES_KEY}: a JSON array with one
     * string per output), or null when it carries none or they do not match the card's classes.
     */
    public static List<String> storedClassNames(ModelFile file) {
        int n = file.card().numClasses();
        String json = file.metadata().get(CLASS_NAMES_KEY);
        if (json != null) {
            try {
                JsonNode a = JSON.readTree(json);
                if (a.isArray() && a.size() == n) {
                    List<String> names = new ArrayList<>();
                    a.forEach(v -> names.add(v.asText()));
                    return List.copyOf(names);
                }
            } catch (IOException e) {
                // fall through: the model still works with numbered names
            }
        }
        return null;
    }

    /** {@code class 0 .. class n-1}: the names of a model file without names. */
    public static List<String> numberedClassNames(int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            names.add("class " + i);
        }
        return List.copyOf(names);
    }

    /** The metadata value for {@value #CLASS_NAMES_KEY}. */
    public static String classNamesJson(List<String> names) {
        try {
            return JSON.writeValueAsString(names);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<String> classNames() {
        return classNames;
    }

    @Override
    public List<Result> forward(List<float[]> frames, int bins, int height, int width, List<byte[]> states) {
        int n = frames.size();
        if (states.size() != n) {
            throw new IllegalArgumentException(n + " windows but " + states.size() + " membrane states");
        }
        int plane = 2 * height * width;
        int size = bins * n * plane;
        if (!inputs.containsKey(size) && inputs.size() >= 16) {
            inputs.clear(); // window shapes changed: forget the old sizes
        }
        // the network takes exactly K·N frames: one array per batch size in use (a handful)
        float[] input = inputs.computeIfAbsent(size, float[]::new);
        // [N][K][2,H,W] per window → [K][N][2,H,W] for the network
        for (int s = 0; s < n; s++) {
            float[] w = frames.get(s);
            for (int k = 0; k < bins; k++) {
                System.arraycopy(w, k * plane, input, (k * n + s) * plane, plane);
            }
        }
        List<MembraneState> st = slots(n, height, width);
        for (int s = 0; s < n; s++) {
            byte[] b = states.get(s);
            if (b == null) {
                st.get(s).reset();
            } else {
                st.get(s).load(b);
            }
        }
        float[] in = input;
        WindowResult r = Parallel.pass(() -> net.forward(in, bins, n, height, width, st));
        List<Result> out = new ArrayList<>(n);
        for (int s = 0; s < n; s++) {
            float[] logits = new float[r.logits()[s].length];
            for (int c = 0; c < logits.length; c++) {
                logits[c] = (float) r.logits()[s][c];
            }
            WindowStats ws = r.stats().get(s);
            double[] rates = ws.spikeRate();
            float[] fr = new float[rates.length];
            for (int l = 0; l < rates.length; l++) {
                fr[l] = (float) rates[l];
            }
            // a new array per result: Flink's heap state backend keeps the reference it is given
            out.add(new Result(logits, layerNames.subList(0, Math.min(layerNames.size(), fr.length)), fr,
                    ws.spikesPerNeuron(), ws.synapticOps(), ws.energyJoules() * 1e12, st.get(s).toBytes()));
        }
        return out;
    }

    /**
     * Runs one window of zeros at every batch size from {@code maxBatch} down to 1: the largest first,
     * so the network's buffers are allocated once, and each size once, so the engine measures its
     * convolution paths for that size now rather than during the first windows of a live stream.
     */
    @Override
    public void shareCores(int passes) {
        Parallel.shareBetween(passes);
    }

    @Override
    public void prepare(int maxBatch, int bins, int height, int width) {
        float[] zeros = new float[bins * 2 * height * width];
        for (int n = maxBatch; n >= 1; n--) {
            List<float[]> frames = new ArrayList<>(n);
            List<byte[]> fresh = new ArrayList<>(n);
            for (int s = 0; s < n; s++) {
                frames.add(zeros);
                fresh.add(null);
            }
            forward(frames, bins, height, width, fresh);
        }
        net.resetLayerTimings();
    }

    /**
     * The first {@code n} reused membrane states for frames of {@code height × width}: one per batch
     * slot, loaded from each sensor's bytes on every window instead of allocated per sensor per window.
     */
    private List<MembraneState> slots(int n, int height, int width) {
        if (height != slotHeight || width != slotWidth) {
            slots.forEach(MembraneState::close);
            slots.clear();
            slotHeight = height;
            slotWidth = width;
        }
        while (slots.size() < n) {
            slots.add(net.newState(height, width));
        }
        return slots.subList(0, n);
    }

    /** ND4J bytes this model holds: the network's weights and buffers (its reused membrane states not included). */
    public long bufferBytes() {
        return net.bufferBytes();
    }

    /** Frees the network's and the reused states' native memory now; the model must not be used afterwards. */
    @Override
    public void close() {
        slots.forEach(MembraneState::close);
        slots.clear();
        inputs.clear();
        net.close();
    }
}
