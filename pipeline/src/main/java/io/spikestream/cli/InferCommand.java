package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.spikestream.model.MembraneState;
import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.MsResNet;
import io.spikestream.model.Precision;
import io.spikestream.model.WindowResult;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.safetensors.SafeTensorsWriter;
import io.spikestream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream infer}: runs a model on a {@code [T, N, C, H, W]} tensor once as a whole and
 * once split into chunks of timesteps with the membrane state carried, and writes logits, spike
 * counts and final states in the layout of the reference fixtures, so a converted PyTorch model can
 * be checked against PyTorch.
 */
@Command(name = "infer", mixinStandardHelpOptions = true,
        description = {"Run a model on a [T, N, C, H, W] tensor of a safetensors file and write logits, chunked logits,",
                "per-layer spike counts [T, N] and final LIF states (state.Lxx.u / state.Lxx.s) to a safetensors file."})
public final class InferCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.safetensors", description = "model file (official state_dict names; card in __metadata__[\"card\"] unless --card)")
    Path model;

    @Option(names = "--card", paramLabel = "C.json", description = "model card, for weights files without one in their metadata")
    Path card;

    @Option(names = "--input", required = true, paramLabel = "IO.safetensors", description = "file holding the input tensor")
    Path input;

    @Option(names = "--tensor", defaultValue = "input", paramLabel = "NAME", description = "name of the [T, N, C, H, W] tensor (default: ${DEFAULT-VALUE})")
    String tensor;

    @Option(names = "--chunks", split = ",", paramLabel = "a,b,...", description = "timesteps per call for logits_chunked (default: __metadata__[\"chunks\"] of the input file, else all T in one call)")
    List<Integer> chunks;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|f64", description = "arithmetic precision (default: ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "output file")
    Path out;

    @Override
    public Integer call() throws IOException {
        Precision precision;
        try {
            precision = Precision.parse(dtype);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--dtype: " + e.getMessage());
        }
        SafeTensors in = SafeTensors.open(input);
        if (!in.contains(tensor)) {
            throw new IOException(input + ": no tensor named \"" + tensor + "\" (use --tensor)");
        }
        TensorInfo info = in.info(tensor);
        long[] shape = info.shape();
        if (shape.length != 5) {
            throw new IOException(input + ": tensor \"" + tensor + "\" has shape " + info.shapeText() + ", expected [T, N, C, H, W]");
        }
        int steps = (int) shape[0];
        List<Integer> split = chunks != null ? chunks : defaultChunks(in, steps);
        checkChunks(split, steps);

        ModelFile file = ModelFile.read(model, card);
        MsResNet net = new MsResNet(file.card(), file.weights(), precision);
        INDArray frames = in.array(tensor, precision.dataType());
        int batch = (int) shape[1];
        int height = (int) shape[3];
        int width = (int) shape[4];

        List<MembraneState> states = freshStates(net, batch, height, width);
        WindowResult whole = net.forward(frames, states);

        List<MembraneState> chunkStates = freshStates(net, batch, height, width);
        int classes = file.card().numClasses();
        double[] chunked = new double[split.size() * batch * classes];
        int from = 0;
        for (int c = 0; c < split.size(); c++) {
            int to = from + split.get(c);
            WindowResult r = net.forward(frames.get(NDArrayIndex.interval(from, to)), chunkStates);
            for (int n = 0; n < batch; n++) {
                System.arraycopy(r.logits()[n], 0, chunked, (c * batch + n) * classes, classes);
            }
            from = to;
        }

        SafeTensorsWriter w = new SafeTensorsWriter()
                .metadata("card", file.card().toJson())
                .metadata("lif_layers", new ObjectMapper().writeValueAsString(file.card().lifLayerNames()))
                .metadata("chunks", split.toString())
                .metadata("dtype", precision.name())
                .metadata("T", Integer.toString(steps))
                .metadata("N", Integer.toString(batch));
        w.addF64("logits", new long[] {batch, classes}, flatten(whole.logits()));
        w.addF64("logits_chunked", new long[] {split.size(), batch, classes}, chunked);
        int featureChannels = file.card().featureChannels();
        double[] pooled = new double[steps * batch * featureChannels];
        for (int t = 0; t < steps; t++) {
            for (int n = 0; n < batch; n++) {
                System.arraycopy(whole.pooled()[t][n], 0, pooled, (t * batch + n) * featureChannels, featureChannels);
            }
        }
        w.addF64("pooled", new long[] {steps, batch, featureChannels}, pooled);
        for (int l = 0; l < net.lifLayers(); l++) {
            String label = ModelCard.lifLabel(l);
            long[] counts = new long[steps * batch];
            for (int t = 0; t < steps; t++) {
                System.arraycopy(whole.spikeCounts()[l][t], 0, counts, t * batch, batch);
            }
            w.addI64("spike_count." + label, new long[] {steps, batch}, counts);
            int[] s = states.get(0).shape(l);
            long[] stateShape = {batch, s[0], s[1], s[2]};
            w.add("state." + label + ".u", concat(states, l, true).reshape(stateShape));
            w.add("state." + label + ".s", concat(states, l, false).reshape(stateShape));
        }
        w.write(out);
        spec.commandLine().getOut().println("wrote " + out + ": logits [" + batch + ", " + classes + "], logits_chunked "
                + split + ", " + net.lifLayers() + " LIF layers (" + precision + ")");
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    private static List<MembraneState> freshStates(MsResNet net, int batch, int height, int width) {
        List<MembraneState> s = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            s.add(net.newState(height, width));
        }
        return s;
    }

    private static INDArray concat(List<MembraneState> states, int layer, boolean potentials) {
        INDArray[] parts = states.stream().map(s -> potentials ? s.u(layer) : s.s(layer)).toArray(INDArray[]::new);
        return org.nd4j.linalg.factory.Nd4j.concat(0, parts);
    }

    private static double[] flatten(double[][] m) {
        int cols = m.length == 0 ? 0 : m[0].length;
        double[] out = new double[m.length * cols];
        for (int i = 0; i < m.length; i++) {
            System.arraycopy(m[i], 0, out, i * cols, cols);
        }
        return out;
    }

    private List<Integer> defaultChunks(SafeTensors in, int steps) throws IOException {
        String meta = in.metadata().get("chunks");
        if (meta == null) {
            return List.of(steps);
        }
        try {
            List<Integer> c = new ArrayList<>();
            for (var node : new ObjectMapper().readTree(meta)) {
                c.add(node.intValue());
            }
            return c;
        } catch (IOException e) {
            throw new IOException(input + ": __metadata__[\"chunks\"] is not a JSON list of integers: " + meta);
        }
    }

    private void checkChunks(List<Integer> split, int steps) {
        int sum = 0;
        for (int c : split) {
            if (c <= 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--chunks: every chunk needs at least one timestep, got " + split);
            }
            sum += c;
        }
        if (sum != steps) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunks " + split + " add up to " + sum + " timesteps, the input has " + steps);
        }
    }
}
