package io.spikestream.model.train;

import java.util.List;

/** Clipping of the global L2 norm of all gradients (as {@code torch.nn.utils.clip_grad_norm_}). */
public final class GradientClipping {
    private GradientClipping() {}

    /** Global L2 norm of the gradients. */
    public static double norm(List<Parameter> parameters) {
        double sq = 0;
        for (Parameter p : parameters) {
            double n = p.grad().norm2Number().doubleValue();
            sq += n * n;
        }
        return Math.sqrt(sq);
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the norm exceeds {@code maxNorm}
     * (no-op for {@code maxNorm <= 0}); returns the norm before clipping.
     */
    public static double clip(List<Parameter> parameters, double maxNorm) {
        double norm = norm(parameters);
        if (maxNorm > 0 && norm > maxNorm) {
            double scale = maxNorm / (norm + 1e-6);
            for (Parameter p : parameters) {
                p.grad().muli(scale);
            }
        }
        return norm;
    }
}
