package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** One residual block on time-major {@code [T*N, C, H, W]} activations, with its backward pass. */
interface Block {
    INDArray forward(INDArray x, int timesteps, BnMode mode);

    /** Gradient w.r.t. the block output to the gradient w.r.t. its input; fills parameter grads. */
    INDArray backward(INDArray gradOut);

    /** The BN closing the residual branch (its γ starts at zero in the paper's init). */
    TdBatchNorm lastResidualNorm();
}
