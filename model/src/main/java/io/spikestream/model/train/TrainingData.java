package io.spikestream.model.train;

/**
 * Labelled samples for training or evaluation, each a window of frames {@code [T, C, H, W]}
 * (time first, as the framer emits them). The model module does not know how frames are made:
 * the pipeline builds them with the streaming job's framer and hands them over through this
 * interface.
 */
public interface TrainingData {
    int size();

    /** Class index of sample {@code index}. */
    int label(int index);

    /** Frames of sample {@code index}, C-order {@code [T, C, H, W]}; callers do not modify it. */
    float[] frames(int index);

    int timesteps();

    int channels();

    int height();

    int width();
}
