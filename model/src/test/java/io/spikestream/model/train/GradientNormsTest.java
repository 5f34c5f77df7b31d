package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.ModelCard;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The paper's central claim, measured: gradient norm equality across blocks for MS-ResNet only. */
class GradientNormsTest {
    /** 22 blocks: two stages of 11. */
    static final ModelCard DEEP = ModelCard.of(2, 11, new ModelCard.Stem(ModelCard.StemType.CONV7, 16),
            List.of(new ModelCard.Stage(16, 11), new ModelCard.Stage(32, 11)), ModelCard.Shortcut.CONV);

    static void assertRatiosWithinHalfAndTwo(GradientNorms.Profile p) {
        assertTrue(p.norms().length >= 20, "at least 20 blocks");
        for (double r : p.ratios()) {
            assertTrue(r >= 0.5 && r <= 2, "MS-ResNet ratio " + r + " in " + Arrays.toString(p.ratios()));
        }
    }

    @Test
    void msResNetRatiosStayWithinHalfAndTwoWhileTheVanillaGradientDecaysTowardsTheInput() {
        GradientNorms.Profile ms = GradientNorms.measure(DEEP, SpikingResNet.Variant.MEMBRANE_SHORTCUT, 4, 4, 32, 11, false);
        GradientNorms.Profile vanilla = GradientNorms.measure(DEEP, SpikingResNet.Variant.SPIKE_AFTER_ADD, 4, 4, 32, 11, false);
        assertRatiosWithinHalfAndTwo(ms);
        double[] v = vanilla.norms();
        double[] m = ms.norms();
        assertTrue(v[v.length - 1] > 0, "the vanilla network's last block receives a gradient");
        assertTrue(v[0] < 0.9 * v[v.length - 1], "vanilla: block 1 gets " + v[0] + ", the last block " + v[v.length - 1]
                + " " + Arrays.toString(v));
        assertTrue(m[0] >= m[m.length - 1], "MS-ResNet: no decay towards the input " + Arrays.toString(m));
    }

    @Test
    void withThePapersZeroInitialisedResidualsMsResNetPassesTheGradientUnchangedThroughIdentityBlocks() {
        GradientNorms.Profile ms = GradientNorms.measure(DEEP, SpikingResNet.Variant.MEMBRANE_SHORTCUT, 4, 4, 32, 11, true);
        assertRatiosWithinHalfAndTwo(ms);
        double[] r = ms.ratios();
        // blocks 1..10 of the first stage are identity blocks: their branch starts silent
        for (int i = 1; i < 10; i++) {
            assertTrue(r[i] == 1.0, "identity block " + (i + 1) + " ratio " + r[i]);
        }
    }
}
