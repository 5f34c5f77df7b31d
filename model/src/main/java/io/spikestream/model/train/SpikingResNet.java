package io.spikestream.model.train;

import io.spikestream.model.ModelCard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A trainable spiking ResNet built from a {@link ModelCard}: forward over the T timesteps of
 * one call from zero state, and the explicit backward pass through time. Parameters and
 * buffers carry the PyTorch {@code state_dict} names of the reference model, so weights move
 * between this class, model files and PyTorch unchanged.
 *
 * <p>{@link Variant#MEMBRANE_SHORTCUT} is MS-ResNet; {@link Variant#SPIKE_AFTER_ADD} is the
 * vanilla spiking ResNet of the same shape (LIF after the stem and after every sum), kept for
 * the gradient-norm comparison. Not thread-safe: one forward/backward at a time.
 */
public final class SpikingResNet {
    /** Where the block fires: MS-ResNet's membrane shortcut, or a spike after the addition. */
    public enum Variant { MEMBRANE_SHORTCUT, SPIKE_AFTER_ADD }

    private final ModelCard card;
    private final Variant variant;
    private final ParameterStore store;
    private final Stem stem;
    private final Lif stemLif;
    private final List<Block> blocks = new ArrayList<>();
    private final List<String> blockNames = new ArrayList<>();
    private final Head head;

    private long[] inputShape;
    private final List<INDArray> blockInputGrads = new ArrayList<>();

    public SpikingResNet(ModelCard card, Variant variant, DataType dataType) {
        this.card = card;
        this.variant = variant;
        this.store = new ParameterStore(dataType);
        LifParams lif = new LifParams(card.lif().vTh(), card.lif().decay(), card.surrogate().lens());
        double eps = card.bnEps();
        this.stem = new Stem(store, card.stem().type(), card.inChannels(), card.stem().channels(), eps);
        this.stemLif = variant == Variant.SPIKE_AFTER_ADD ? lif.newLayer() : null;
        boolean avgpool = card.shortcut() == ModelCard.Shortcut.AVGPOOL;
        int in = card.stem().channels();
        for (int s = 0; s < card.stages().size(); s++) {
            ModelCard.Stage stage = card.stages().get(s);
            for (int b = 0; b < stage.blocks(); b++) {
                String name = ModelCard.stageName(s) + "." + b;
                int stride = b == 0 ? 2 : 1;
                blocks.add(variant == Variant.MEMBRANE_SHORTCUT
                        ? new MembraneShortcutBlock(store, name, in, stage.channels(), stride, avgpool, lif, eps)
                        : new SpikeAfterAddBlock(store, name, in, stage.channels(), stride, avgpool, lif, eps));
                blockNames.add(name);
                in = stage.channels();
            }
        }
        this.head = new Head(store, variant == Variant.MEMBRANE_SHORTCUT ? lif.newLayer() : null, in, card.numClasses());
    }

    /** MS-ResNet for {@code card} in {@code dataType} (zeros; see {@link Initializer}). */
    public static SpikingResNet msResNet(ModelCard card, DataType dataType) {
        return new SpikingResNet(card, Variant.MEMBRANE_SHORTCUT, dataType);
    }

    public ModelCard card() {
        return card;
    }

    public Variant variant() {
        return variant;
    }

    public ParameterStore parameters() {
        return store;
    }

    public DataType dataType() {
        return store.dataType();
    }

    /** Block names ({@code conv2_x.0}, ...) in forward order. */
    public List<String> blockNames() {
        return Collections.unmodifiableList(blockNames);
    }

    /** The BN closing each block's residual branch, in forward order. */
    List<TdBatchNorm> lastResidualNorms() {
        return blocks.stream().map(Block::lastResidualNorm).toList();
    }

    /**
     * Logits {@code [N, K]} of one call over {@code input [T, N, C, H, W]} from zero state: the
     * mean over T of the per-timestep logits.
     */
    public INDArray forward(INDArray input, BnMode mode) {
        if (input.rank() != 5 || input.size(2) != card.inChannels()) {
            throw new IllegalArgumentException("input must be [T, N, " + card.inChannels() + ", H, W], got "
                    + java.util.Arrays.toString(input.shape()));
        }
        inputShape = input.shape();
        int t = (int) inputShape[0];
        INDArray x = input.castTo(store.dataType()).dup('c')
                .reshape('c', inputShape[0] * inputShape[1], inputShape[2], inputShape[3], inputShape[4]);
        INDArray h = stem.forward(x, mode);
        if (stemLif != null) {
            h = stemLif.forward(h, t);
        }
        for (Block b : blocks) {
            h = b.forward(h, t, mode);
        }
        return head.forward(h, t);
    }

    /**
     * Backward pass of the last {@link #forward}: fills every parameter's gradient and returns
     * d loss / d input {@code [T, N, C, H, W]}.
     */
    public INDArray backward(INDArray gradLogits) {
        if (inputShape == null) {
            throw new IllegalStateException("backward without a forward pass");
        }
        blockInputGrads.clear();
        INDArray g = head.backward(gradLogits.castTo(store.dataType()));
        for (int i = blocks.size() - 1; i >= 0; i--) {
            g = blocks.get(i).backward(g);
            blockInputGrads.add(0, g);
        }
        if (stemLif != null) {
            g = stemLif.backward(g);
        }
        g = stem.backward(g);
        INDArray out = g.reshape('c', inputShape);
        inputShape = null;
        return out;
    }

    /** L2 norm of d loss / d (input of block i) from the last backward pass, in forward order. */
    public double[] blockInputGradNorms() {
        double[] norms = new double[blockInputGrads.size()];
        for (int i = 0; i < norms.length; i++) {
            norms[i] = blockInputGrads.get(i).norm2Number().doubleValue();
        }
        return norms;
    }
}
