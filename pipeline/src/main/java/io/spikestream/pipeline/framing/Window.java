package io.spikestream.pipeline.framing;

import java.util.Arrays;

/**
 * One closed window of one sensor: {@code bins} consecutive event-time bins starting at
 * {@code startUs}, as the model's input {@code frames} laid out {@code [bins, 2, height, width]}
 * (channel 0 = OFF, 1 = ON), and how many events fell into each bin (before clipping).
 *
 * @param index the window's number: it starts at bin {@code index * hopBins} of the time axis
 */
public record Window(
        String sensorId,
        long index,
        long startUs,
        long endUs,
        int bins,
        int height,
        int width,
        float[] frames,
        int[] binEvents) {

    public Window {
        if (frames.length != bins * 2 * height * width || binEvents.length != bins) {
            throw new IllegalArgumentException("window frames " + frames.length + " / counts " + binEvents.length
                    + " do not match shape [" + bins + ",2," + height + "," + width + "]");
        }
    }

    /** Events in the whole window. */
    public long events() {
        long n = 0;
        for (int c : binEvents) {
            n += c;
        }
        return n;
    }

    /** Same sensor, index, times and bit-identical frames and counts. */
    public boolean sameAs(Window o) {
        return sensorId.equals(o.sensorId) && index == o.index && startUs == o.startUs && endUs == o.endUs
                && bins == o.bins && height == o.height && width == o.width
                && Arrays.equals(frames, o.frames) && Arrays.equals(binEvents, o.binEvents);
    }

    @Override
    public String toString() {
        return "Window[" + sensorId + " #" + index + " " + startUs + ".." + endUs + " µs, " + events() + " events]";
    }
}
