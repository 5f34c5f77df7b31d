package io.spikestream.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spikestream.model.ModelCard;
import io.spikestream.model.train.GradientNorms;
import io.spikestream.model.train.SpikingResNet;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream gradnorm}: the gradient norm at each block's input at initialisation, for
 * MS-ResNet and for the vanilla spiking ResNet of the same shape, as a table and as JSON.
 */
@Command(name = "gradnorm", mixinStandardHelpOptions = true,
        description = {"Gradient norm ||d loss / d x_l|| at the input of every block at initialisation (one training step,",
                "tdBN in training mode, random sparse event frames and labels) for MS-ResNet and for a vanilla spiking",
                "ResNet of the same depth (spike after the addition); prints a table, and JSON with --json."})
public final class GradNormCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--card", required = true, paramLabel = "C.json", description = "architecture")
    Path card;

    @Option(names = "--size", defaultValue = "32", paramLabel = "PX", description = "input height and width (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--frames", defaultValue = "4", paramLabel = "T", description = "timesteps (default: ${DEFAULT-VALUE})")
    int frames;

    @Option(names = "--batch", defaultValue = "4", paramLabel = "N", description = "samples (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--seed", defaultValue = "11", paramLabel = "S", description = "initialisation and input seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--zero-init-residual", description = "the paper's training init: gamma = 0 on the last BN of every residual branch "
            + "(branches start silent; default: gamma = v_th everywhere, branches active)")
    boolean zeroInit;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the report as JSON ('-' = stdout instead of the table)")
    String json;

    @Override
    public Integer call() throws IOException {
        if (size < 8 || size > 512 || frames < 1 || frames > 64 || batch < 1 || batch > 64) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--size must be in [8, 512], --frames in [1, 64], --batch in [1, 64]");
        }
        ModelCard c = ModelCard.read(card);
        GradientNorms.Profile ms = GradientNorms.measure(c, SpikingResNet.Variant.MEMBRANE_SHORTCUT, frames, batch, size, seed, zeroInit);
        GradientNorms.Profile vanilla = GradientNorms.measure(c, SpikingResNet.Variant.SPIKE_AFTER_ADD, frames, batch, size, seed, zeroInit);
        ObjectNode report = report(c, ms, vanilla);
        PrintWriter out = spec.commandLine().getOut();
        if ("-".equals(json)) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
        } else {
            printTable(out, ms, vanilla);
            if (json != null) {
                Files.writeString(Path.of(json), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report));
            }
        }
        out.flush();
        return Main.OK;
    }

    private ObjectNode report(ModelCard c, GradientNorms.Profile ms, GradientNorms.Profile vanilla) {
        ObjectNode root = JSON.createObjectNode();
        root.set("card", readTree(c.toJson()));
        root.put("frames", frames).put("batch", batch).put("size", size).put("seed", seed);
        root.put("init", zeroInit ? "paper (last residual BN gamma = 0)" : "gamma = v_th on every BN");
        root.set("ms_resnet", profile(ms));
        root.set("vanilla", profile(vanilla));
        return root;
    }

    private static ObjectNode profile(GradientNorms.Profile p) {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode blocks = o.putArray("blocks");
        p.blocks().forEach(blocks::add);
        ArrayNode norms = o.putArray("norms");
        for (double n : p.norms()) {
            norms.add(n);
        }
        ArrayNode ratios = o.putArray("ratios");
        double lo = Double.POSITIVE_INFINITY;
        double hi = 0;
        for (double r : p.ratios()) {
            ratios.add(Double.isFinite(r) ? r : -1);
            lo = Math.min(lo, r);
            hi = Math.max(hi, r);
        }
        o.put("min_ratio", lo);
        o.put("max_ratio", Double.isFinite(hi) ? hi : -1);
        double[] n = p.norms();
        o.put("first_over_last", n[n.length - 1] == 0 ? 0 : n[0] / n[n.length - 1]);
        return o;
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void printTable(PrintWriter out, GradientNorms.Profile ms, GradientNorms.Profile vanilla) {
        out.printf(Locale.ROOT, "%-12s %14s %10s %14s %10s%n", "block", "MS-ResNet", "ratio", "vanilla", "ratio");
        double[] m = ms.norms();
        double[] v = vanilla.norms();
        double[] mr = ms.ratios();
        double[] vr = vanilla.ratios();
        for (int i = 0; i < m.length; i++) {
            out.printf(Locale.ROOT, "%-12s %14.6e %10s %14.6e %10s%n", ms.blocks().get(i), m[i],
                    i < mr.length ? String.format(Locale.ROOT, "%.4f", mr[i]) : "", v[i],
                    i < vr.length ? String.format(Locale.ROOT, "%.4f", vr[i]) : "");
        }
        out.printf(Locale.ROOT, "first/last block: MS-ResNet %.4f, vanilla %.4f (ratio = norm(block i) / norm(block i+1))%n",
                m[0] / m[m.length - 1], v[m.length - 1] == 0 ? 0 : v[0] / v[v.length - 1]);
    }
}
