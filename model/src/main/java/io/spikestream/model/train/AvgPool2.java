package io.spikestream.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** 2x2 average pooling with stride 2 over H and W (the {@code avgpool} shortcut), no parameters. */
final class AvgPool2 {
    private long[] inShape;

    INDArray forward(INDArray x) {
        inShape = x.shape();
        long h = inShape[2];
        long w = inShape[3];
        if (h % 2 != 0 || w % 2 != 0) {
            throw new IllegalArgumentException("avgpool shortcut needs even H and W, got " + h + "x" + w);
        }
        return x.dup('c').reshape('c', inShape[0], inShape[1], h / 2, 2, w / 2, 2).mean(3, 5);
    }

    INDArray backward(INDArray gradOut) {
        long[] s = gradOut.shape();
        INDArray g = gradOut.div(4.0).reshape('c', s[0], s[1], s[2], 1, s[3], 1);
        INDArray out = g.broadcast(s[0], s[1], s[2], 2, s[3], 2);
        return out.dup('c').reshape('c', inShape);
    }
}
