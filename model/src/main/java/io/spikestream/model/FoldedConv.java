package io.spikestream.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A square 2-D convolution with an eval-mode tdBN folded into its weights and bias
 * ({@code W' = W * a}, {@code b' = (b - mean) * a + beta} with {@code a = gamma / sqrt(var + eps)}),
 * so inference runs one conv per layer. Applied to all K·N frames of a window, either densely in one
 * ND4J {@code conv2d} call (oneDNN on the CPU backend) or, when the input is binary spikes, by
 * {@link SpikeConv} (built on first use). NCHW activations, OIHW weights.
 */
final class FoldedConv {
    final int in;
    final int out;
    final int kernel;
    final int stride;
    final int pad;
    private final INDArray weight;
    private final INDArray bias;
    private SpikeConv spikes;
    private PointConv point;

    private FoldedConv(int in, int out, int kernel, int stride, int pad, INDArray weight, INDArray bias) {
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.weight = weight;
        this.bias = bias;
    }

    /**
     * Folds conv {@code convModule} (with its bias when {@code convBias}) and the BN {@code bnModule}
     * (none when null). The folding is done in float64 and rounded once to {@code type}.
     */
    static FoldedConv fold(ModelWeights w, String convModule, boolean convBias, String bnModule, double eps,
            int stride, int pad, DataType type) {
        INDArray wt = w.get(convModule + ".weight").castTo(DataType.DOUBLE);
        long[] s = wt.shape();
        int out = (int) s[0];
        int in = (int) s[1];
        int k = (int) s[2];
        double[] weights = wt.dup('c').data().asDouble();
        double[] b = convBias ? w.get(convModule + ".bias").castTo(DataType.DOUBLE).data().asDouble() : new double[out];
        if (bnModule != null) {
            double[] gamma = doubles(w, bnModule + ".bn.weight");
            double[] beta = doubles(w, bnModule + ".bn.bias");
            double[] mean = doubles(w, bnModule + ".bn.running_mean");
            double[] var = doubles(w, bnModule + ".bn.running_var");
            int per = weights.length / out;
            for (int o = 0; o < out; o++) {
                double a = gamma[o] / Math.sqrt(var[o] + eps);
                for (int i = 0; i < per; i++) {
                    weights[o * per + i] *= a;
                }
                b[o] = (b[o] - mean[o]) * a + beta[o];
            }
        }
        INDArray weight = Nd4j.create(weights, s, DataType.DOUBLE).castTo(type);
        INDArray bias = Nd4j.create(b, new long[] {out}, DataType.DOUBLE).castTo(type);
        return new FoldedConv(in, out, k, stride, pad, weight, bias);
    }

    private static double[] doubles(ModelWeights w, String name) {
        return w.get(name).castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    /** Output size along one spatial axis. */
    int outSize(int inSize) {
        return (inSize + 2 * pad - kernel) / stride + 1;
    }

    /** {@code output[KN, out, h', w'] = conv(input[KN, in, h, w])} with ND4J's conv2d; output is preallocated. */
    void apply(INDArray input, INDArray output) {
        Nd4j.exec(DynamicCustomOp.builder("conv2d")
                .addInputs(input, weight, bias)
                .addOutputs(output)
                // kH, kW, sH, sW, pH, pW, dH, dW, same-mode off, NCHW, weights OIHW
                .addIntegerArguments(kernel, kernel, stride, stride, pad, pad, 1, 1, 0, 0, 1)
                .build());
    }

    /** The spike-driven form of this convolution (host memory only); its repacked weights are built on first use. */
    SpikeConv spikeDriven() {
        if (spikes == null) {
            spikes = new SpikeConv(weight, bias, stride, pad);
        }
        return spikes;
    }

    /** The plain-Java form of this 1×1 convolution (host memory only), built on first use. */
    PointConv pointwise() {
        if (kernel != 1 || pad != 0) {
            throw new IllegalStateException("pointwise() is for 1x1 convolutions without padding");
        }
        if (point == null) {
            point = new PointConv(weight, bias, stride);
        }
        return point;
    }

    /** Bytes of the spike-driven weights built so far. */
    long spikeDrivenBytes() {
        return spikes == null ? 0 : spikes.bytes();
    }

    /** Frees the folded weights' native memory (the conv must not be used afterwards). */
    void close() {
        MsResNet.closeArray(weight); // weight2d is a view of weight
        MsResNet.closeArray(bias);
    }

    /** Weights plus biases. */
    long parameterCount() {
        return weight.length() + bias.length();
    }

    /** Multiply-accumulates of one frame for an output of {@code h × w}. */
    long macsPerFrame(int h, int w) {
        return (long) out * h * w * in * kernel * kernel;
    }
}
