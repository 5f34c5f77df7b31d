package io.spikestream.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The tensor names and shapes of an MS-ResNet {@code state_dict} as the official PyTorch code
 * names them ({@code conv1.0.weight}, {@code conv2_x.0.residual_function.2.bn.running_mean},
 * {@code fc.weight}, ...), derived from a {@link ModelCard}. Used to check a model file and to
 * write one that PyTorch loads with {@code strict=True}.
 */
public final class StateDict {
    private StateDict() {}

    /** Suffix of the BN buffer that inference ignores; written for PyTorch, tolerated when missing. */
    public static final String NUM_BATCHES_TRACKED = "num_batches_tracked";

    /** Expected names and shapes, in forward order; scalars have shape {@code []}. */
    public static Map<String, long[]> expectedShapes(ModelCard card) {
        Map<String, long[]> m = new LinkedHashMap<>();
        int c0 = card.stem().channels();
        int in = card.inChannels();
        if (card.stem().type() == ModelCard.StemType.CONV7) {
            m.put("conv1.0.weight", new long[] {c0, in, 7, 7});
            bn(m, "conv1.1", c0);
        } else {
            m.put("conv1.0.weight", new long[] {c0, in, 3, 3});
            m.put("conv1.0.bias", new long[] {c0});
            m.put("conv1.1.weight", new long[] {c0, c0, 3, 3});
            m.put("conv1.1.bias", new long[] {c0});
            m.put("conv1.2.weight", new long[] {c0, c0, 3, 3});
            m.put("conv1.2.bias", new long[] {c0});
            bn(m, "conv1.3", c0);
        }
        int cin = c0;
        for (int i = 0; i < card.stages().size(); i++) {
            ModelCard.Stage stage = card.stages().get(i);
            for (int b = 0; b < stage.blocks(); b++) {
                String p = blockName(i, b);
                int c = stage.channels();
                m.put(p + ".residual_function.1.weight", new long[] {c, cin, 3, 3});
                bn(m, p + ".residual_function.2", c);
                m.put(p + ".residual_function.4.weight", new long[] {c, c, 3, 3});
                bn(m, p + ".residual_function.5", c);
                if (hasShortcut(card, i, b)) {
                    if (card.shortcut() == ModelCard.Shortcut.CONV) {
                        m.put(p + ".shortcut.0.weight", new long[] {c, cin, 1, 1});
                        bn(m, p + ".shortcut.1", c);
                    } else {
                        m.put(p + ".shortcut.1.weight", new long[] {c, cin, 1, 1});
                        bn(m, p + ".shortcut.2", c);
                    }
                }
                cin = c;
            }
        }
        m.put("fc.weight", new long[] {card.numClasses(), cin});
        m.put("fc.bias", new long[] {card.numClasses()});
        return Collections.unmodifiableMap(m);
    }

    private static void bn(Map<String, long[]> m, String module, int c) {
        String p = module + ".bn.";
        m.put(p + "weight", new long[] {c});
        m.put(p + "bias", new long[] {c});
        m.put(p + "running_mean", new long[] {c});
        m.put(p + "running_var", new long[] {c});
        m.put(p + NUM_BATCHES_TRACKED, new long[] {});
    }

    /** {@code convK_x.i}: block {@code b} of stage {@code i}. */
    public static String blockName(int stage, int block) {
        return ModelCard.stageName(stage) + "." + block;
    }

    /** The first block of every stage has stride 2 (as in the official code), hence a shortcut. */
    public static int stride(int block) {
        return block == 0 ? 2 : 1;
    }

    /** Whether block {@code b} of stage {@code i} has a shortcut module (stride 2 or a change of channels). */
    public static boolean hasShortcut(ModelCard card, int stage, int block) {
        int cin = block > 0 ? card.stages().get(stage).channels()
                : stage == 0 ? card.stem().channels() : card.stages().get(stage - 1).channels();
        return stride(block) != 1 || cin != card.stages().get(stage).channels();
    }

    /** Module prefix of the BN that follows the stem convolution(s). */
    public static String stemBn(ModelCard card) {
        return card.stem().type() == ModelCard.StemType.CONV7 ? "conv1.1" : "conv1.3";
    }

    /** Module prefixes {@code (conv, bn)} of a block's shortcut. */
    public static String[] shortcutModules(ModelCard card, int stage, int block) {
        String p = blockName(stage, block) + ".shortcut.";
        return card.shortcut() == ModelCard.Shortcut.CONV ? new String[] {p + "0", p + "1"} : new String[] {p + "1", p + "2"};
    }
}
