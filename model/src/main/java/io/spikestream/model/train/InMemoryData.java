package io.spikestream.model.train;

import java.util.ArrayList;
import java.util.List;

/** Samples held in memory as float arrays; the simplest {@link TrainingData}. */
public final class InMemoryData implements TrainingData {
    private final int timesteps;
    private final int channels;
    private final int height;
    private final int width;
    private final List<float[]> frames = new ArrayList<>();
    private final List<Integer> labels = new ArrayList<>();

    public InMemoryData(int timesteps, int channels, int height, int width) {
        this.timesteps = timesteps;
        this.channels = channels;
        this.height = height;
        this.width = width;
    }

    /** Adds one sample ({@code [T, C, H, W]}, not copied). */
    public void add(float[] sampleFrames, int label) {
        if (sampleFrames.length != (long) timesteps * channels * height * width) {
            throw new IllegalArgumentException("sample has " + sampleFrames.length + " floats, expected "
                    + timesteps + "x" + channels + "x" + height + "x" + width);
        }
        if (label < 0) {
            throw new IllegalArgumentException("negative label " + label);
        }
        frames.add(sampleFrames);
        labels.add(label);
    }

    @Override
    public int size() {
        return frames.size();
    }

    @Override
    public int label(int index) {
        return labels.get(index);
    }

    @Override
    public float[] frames(int index) {
        return frames.get(index);
    }

    @Override
    public int timesteps() {
        return timesteps;
    }

    @Override
    public int channels() {
        return channels;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public int width() {
        return width;
    }
}
