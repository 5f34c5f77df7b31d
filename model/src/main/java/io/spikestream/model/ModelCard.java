package io.spikestream.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The architecture of an MS-ResNet as JSON (the fixtures' card format): stem, stages
 * {@code [[channels, blocks], ...]}, shortcut kind, LIF threshold and decay, BN epsilon, input
 * channels and classes. It is stored with the weights (in {@code __metadata__["card"]}) so that a
 * model file is self-describing. Invalid cards are rejected with a {@link ModelCardException}
 * naming the field.
 *
 * @param arch always {@code ms-resnet}
 * @param inChannels input channels (2 for ON/OFF polarity frames)
 * @param numClasses outputs of the fc layer
 * @param stem the stem convolution(s)
 * @param stages per stage (named {@code conv{i+2}_x}): output channels and number of blocks
 * @param shortcut how the first block of a stage reshapes its input
 * @param lif LIF threshold and decay
 * @param bnEps epsilon of every tdBN
 * @param surrogate surrogate gradient used in training (ignored by inference)
 */
public record ModelCard(String arch, int inChannels, int numClasses, Stem stem, List<Stage> stages,
        Shortcut shortcut, Lif lif, double bnEps, Surrogate surrogate) {

    public static final String ARCH = "ms-resnet";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> FIELDS = Set.of("arch", "in_channels", "num_classes", "stem", "stages",
            "shortcut", "lif", "bn_eps", "surrogate");

    /** Stem kinds: the 7×7 stride-2 convolution of MS-ResNet-18/34, or three 3×3 convolutions as in MS-ResNet-104. */
    public enum StemType {
        CONV7("conv7"), CONV3X3X3("conv3x3x3");

        private final String json;

        StemType(String json) {
            this.json = json;
        }

        public String json() {
            return json;
        }
    }

    /** How the first block of a stage maps its input to the new size: 1×1 conv with stride 2, or 2×2 average pool then 1×1 conv. */
    public enum Shortcut {
        CONV, AVGPOOL;

        public String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public record Stem(StemType type, int channels) {}

    public record Stage(int channels, int blocks) {}

    public record Lif(double vTh, double decay) {}

    public record Surrogate(String type, double lens) {}

    public ModelCard {
        if (stages == null) {
            throw new ModelCardException("stages", "is missing");
        }
        stages = List.copyOf(stages);
        validate(arch, inChannels, numClasses, stem, stages, shortcut, lif, bnEps, surrogate);
    }

    /** A card with the default LIF (v_th 0.5, decay 0.25), BN epsilon 1e-5 and rectangular surrogate (lens 0.5). */
    public static ModelCard of(int inChannels, int numClasses, Stem stem, List<Stage> stages, Shortcut shortcut) {
        return new ModelCard(ARCH, inChannels, numClasses, stem, stages, shortcut, new Lif(0.5, 0.25), 1e-5,
                new Surrogate("rectangular", 0.5));
    }

    /** MS-ResNet-18: conv7 stem with 64 channels, stages 64/128/256/512 with two blocks each, conv shortcuts. */
    public static ModelCard msResNet18(int inChannels, int numClasses) {
        return of(inChannels, numClasses, new Stem(StemType.CONV7, 64),
                List.of(new Stage(64, 2), new Stage(128, 2), new Stage(256, 2), new Stage(512, 2)), Shortcut.CONV);
    }

    private static void validate(String arch, int inChannels, int numClasses, Stem stem, List<Stage> stages,
            Shortcut shortcut, Lif lif, double bnEps, Surrogate surrogate) {
        if (!ARCH.equals(arch)) {
            throw new ModelCardException("arch", "must be \"" + ARCH + "\", was " + (arch == null ? "missing" : "\"" + arch + "\""));
        }
        positive("in_channels", inChannels);
        positive("num_classes", numClasses);
        if (stem == null || stem.type() == null) {
            throw new ModelCardException("stem.type", "must be \"conv7\" or \"conv3x3x3\"");
        }
        positive("stem.channels", stem.channels());
        if (stages.isEmpty()) {
            throw new ModelCardException("stages", "needs at least one [channels, blocks] stage");
        }
        for (int i = 0; i < stages.size(); i++) {
            positive("stages[" + i + "][0]", stages.get(i).channels());
            positive("stages[" + i + "][1]", stages.get(i).blocks());
        }
        if (shortcut == null) {
            throw new ModelCardException("shortcut", "must be \"conv\" or \"avgpool\"");
        }
        if (lif == null || !Double.isFinite(lif.vTh()) || lif.vTh() <= 0) {
            throw new ModelCardException("lif.v_th", "must be a positive number");
        }
        if (!(lif.decay() >= 0 && lif.decay() <= 1)) {
            throw new ModelCardException("lif.decay", "must lie in [0, 1], was " + lif.decay());
        }
        if (!(bnEps > 0) || !Double.isFinite(bnEps)) {
            throw new ModelCardException("bn_eps", "must be a positive number, was " + bnEps);
        }
        if (surrogate == null || surrogate.type() == null || !(surrogate.lens() > 0) || !Double.isFinite(surrogate.lens())) {
            throw new ModelCardException("surrogate", "needs a type and a positive lens");
        }
    }

    private static void positive(String field, int v) {
        if (v <= 0) {
            throw new ModelCardException(field, "must be a positive integer, was " + v);
        }
    }

    /** Parses a card from JSON text. */
    public static ModelCard parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ModelCardException("(card)", "is not valid JSON: " + e.getOriginalMessage());
        }
        return fromJson(root);
    }

    /** Reads a card file; errors name the file and the field. */
    public static ModelCard read(Path file) throws IOException {
        String text = Files.readString(file);
        try {
            return parse(text);
        } catch (ModelCardException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    /** Builds a card from a parsed JSON object; unknown fields are rejected (a typo must not silently give a default). */
    public static ModelCard fromJson(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ModelCardException("(card)", "must be a JSON object");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ModelCardException(f, "unknown field (known: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        String arch = text(root, "arch", "arch", true);
        int in = integer(root.get("in_channels"), "in_channels");
        int classes = integer(root.get("num_classes"), "num_classes");
        JsonNode stemNode = root.get("stem");
        if (stemNode == null || !stemNode.isObject()) {
            throw new ModelCardException("stem", "must be an object {\"type\": ..., \"channels\": ...}");
        }
        String stemType = text(stemNode, "type", "stem.type", true);
        StemType st = null;
        for (StemType t : StemType.values()) {
            if (t.json().equals(stemType)) {
                st = t;
            }
        }
        if (st == null) {
            throw new ModelCardException("stem.type", "must be \"conv7\" or \"conv3x3x3\", was \"" + stemType + "\"");
        }
        Stem stem = new Stem(st, integer(stemNode.get("channels"), "stem.channels"));
        JsonNode stagesNode = root.get("stages");
        if (stagesNode == null || !stagesNode.isArray()) {
            throw new ModelCardException("stages", "must be a list of [channels, blocks]");
        }
        List<Stage> stages = new ArrayList<>();
        for (int i = 0; i < stagesNode.size(); i++) {
            JsonNode s = stagesNode.get(i);
            if (!s.isArray() || s.size() != 2) {
                throw new ModelCardException("stages[" + i + "]", "must be [channels, blocks], was " + s);
            }
            stages.add(new Stage(integer(s.get(0), "stages[" + i + "][0]"), integer(s.get(1), "stages[" + i + "][1]")));
        }
        String sc = text(root, "shortcut", "shortcut", true);
        Shortcut shortcut = switch (sc) {
            case "conv" -> Shortcut.CONV;
            case "avgpool" -> Shortcut.AVGPOOL;
            default -> throw new ModelCardException("shortcut", "must be \"conv\" or \"avgpool\", was \"" + sc + "\"");
        };
        Lif lif = new Lif(0.5, 0.25);
        JsonNode lifNode = root.get("lif");
        if (lifNode != null) {
            if (!lifNode.isObject()) {
                throw new ModelCardException("lif", "must be an object {\"v_th\": ..., \"decay\": ...}");
            }
            lif = new Lif(number(lifNode, "v_th", "lif.v_th", 0.5), number(lifNode, "decay", "lif.decay", 0.25));
        }
        double eps = number(root, "bn_eps", "bn_eps", 1e-5);
        Surrogate surrogate = new Surrogate("rectangular", 0.5);
        JsonNode sur = root.get("surrogate");
        if (sur != null) {
            if (!sur.isObject()) {
                throw new ModelCardException("surrogate", "must be an object {\"type\": ..., \"lens\": ...}");
            }
            String type = text(sur, "type", "surrogate.type", false);
            surrogate = new Surrogate(type == null ? "rectangular" : type, number(sur, "lens", "surrogate.lens", 0.5));
        }
        return new ModelCard(arch, in, classes, stem, stages, shortcut, lif, eps, surrogate);
    }

    private static String text(JsonNode parent, String key, String field, boolean required) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            if (required) {
                throw new ModelCardException(field, "is missing");
            }
            return null;
        }
        if (!n.isTextual()) {
            throw new ModelCardException(field, "must be a string, was " + n);
        }
        return n.textValue();
    }

    private static int integer(JsonNode n, String field) {
        if (n == null || n.isNull()) {
            throw new ModelCardException(field, "is missing");
        }
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new ModelCardException(field, "must be an integer, was " + n);
        }
        return n.intValue();
    }

    private static double number(JsonNode parent, String key, String field, double dflt) {
        JsonNode n = parent.get(key);
        if (n == null || n.isNull()) {
            return dflt;
        }
        if (!n.isNumber()) {
            throw new ModelCardException(field, "must be a number, was " + n);
        }
        return n.doubleValue();
    }

    /** The card as JSON (the fixtures' field names). */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("arch", arch);
        root.put("in_channels", inChannels);
        root.put("num_classes", numClasses);
        ObjectNode s = root.putObject("stem");
        s.put("type", stem.type().json());
        s.put("channels", stem.channels());
        ArrayNode st = root.putArray("stages");
        for (Stage stage : stages) {
            st.addArray().add(stage.channels()).add(stage.blocks());
        }
        root.put("shortcut", shortcut.json());
        ObjectNode l = root.putObject("lif");
        l.put("v_th", lif.vTh());
        l.put("decay", lif.decay());
        root.put("bn_eps", bnEps);
        ObjectNode sur = root.putObject("surrogate");
        sur.put("type", surrogate.type());
        sur.put("lens", surrogate.lens());
        return root.toString();
    }

    /** Channels of the last stage (the width of the pooled features and the fc input). */
    public int featureChannels() {
        return stages.get(stages.size() - 1).channels();
    }

    /** Module paths of the LIF layers in forward order; index = {@code Lxx}. */
    public List<String> lifLayerNames() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            for (int b = 0; b < stages.get(i).blocks(); b++) {
                String block = stageName(i) + "." + b + ".residual_function.";
                names.add(block + "0");
                names.add(block + "3");
            }
        }
        names.add("mem_update");
        return names;
    }

    /** Official module name of stage {@code i} (0-based): {@code conv{i+2}_x}. */
    public static String stageName(int i) {
        return "conv" + (i + 2) + "_x";
    }

    /** {@code L00}, {@code L01}, ... as the fixtures name LIF layers. */
    public static String lifLabel(int index) {
        return String.format(Locale.ROOT, "L%02d", index);
    }
}
