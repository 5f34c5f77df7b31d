package io.spikestream.pipeline.job;

import io.spikestream.pipeline.framing.Window;

/**
 * A closed window travelling from the framing operator to the classifier: the framer's
 * {@link Window} plus the wall-clock time it closed (for the latency figure). A Flink POJO.
 */
public class FramedWindow {
    public String sensorId;
    public long index;
    public long startUs;
    public long endUs;
    public int bins;
    public int height;
    public int width;
    public float[] frames;
    public int[] binEvents;
    public long closedAtMs;

    public FramedWindow() {
    }

    public static FramedWindow of(Window w, long closedAtMs) {
        FramedWindow f = new FramedWindow();
        f.sensorId = w.sensorId();
        f.index = w.index();
        f.startUs = w.startUs();
        f.endUs = w.endUs();
        f.bins = w.bins();
        f.height = w.height();
        f.width = w.width();
        f.frames = w.frames();
        f.binEvents = w.binEvents();
        f.closedAtMs = closedAtMs;
        return f;
    }

    public Window window() {
        return new Window(sensorId, index, startUs, endUs, bins, height, width, frames, binEvents);
    }

    public long events() {
        long n = 0;
        for (int c : binEvents) {
            n += c;
        }
        return n;
    }
}
