package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ND4J convolution ops the training layers need (NCHW activations, OIHW weights), with
 * their integer arguments spelled out once.
 */
final class NdOps {
    private static final int NCHW = 0;
    private static final int OIHW = 1;

    private NdOps() {}

    /**
     * Cross-correlation of {@code x [B, Ci, H, W]} with {@code w [Co, Ci, k, k]}, zero padding,
     * written into {@code previous} where it fits ({@link HostBuffer#reuse}).
     */
    static INDArray conv2d(INDArray x, INDArray w, INDArray bias, int stride, int pad, INDArray previous) {
        long[] xs = x.shape();
        long[] ws = w.shape();
        long oh = (xs[2] + 2L * pad - ws[2]) / stride + 1;
        long ow = (xs[3] + 2L * pad - ws[3]) / stride + 1;
        INDArray out = HostBuffer.reuse(previous, x.dataType(), new long[] {xs[0], ws[0], oh, ow});
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d");
        op = bias == null ? op.addInputs(x, w) : op.addInputs(x, w, bias);
        Nd4j.exec(op.addIntegerArguments(convArgs(w, stride, pad)).addOutputs(out).build());
        return out;
    }

    /**
     * Backward of {@link #conv2d}: writes the weight (and bias) gradient into {@code gradW}
     * ({@code gradB}) and returns the input gradient, in {@code previous} where it fits.
     */
    static INDArray conv2dBackward(INDArray x, INDArray w, INDArray bias, INDArray gradOut,
            int stride, int pad, INDArray gradW, INDArray gradB, INDArray previous) {
        INDArray gradIn = HostBuffer.reuse(previous, x.dataType(), x.shape());
        DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp");
        if (bias == null) {
            op = op.addInputs(x, w, gradOut).addOutputs(gradIn, gradW);
        } else {
            op = op.addInputs(x, w, bias, gradOut).addOutputs(gradIn, gradW, gradB);
        }
        Nd4j.exec(op.addIntegerArguments(convArgs(w, stride, pad)).build());
        return gradIn;
    }

    private static int[] convArgs(INDArray w, int stride, int pad) {
        int kh = (int) w.size(2);
        int kw = (int) w.size(3);
        return new int[] {kh, kw, stride, stride, pad, pad, 1, 1, 0, NCHW, OIHW};
    }
}
