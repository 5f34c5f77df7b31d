package io.spikestream.view;

import io.spikestream.pipeline.job.FramedWindow;

/**
 * A window's frames reduced to what the live view draws: per pixel of the classifier's input the
 * events of all bins and both polarities, as a heat value 0..255 (square-root scale, so that a
 * few events still show next to the busiest pixel). About {@code height × width} bytes instead of
 * the window's {@code bins × 2 × height × width} floats, so it is cheap to ship to the view. A Flink POJO.
 */
public class FrameHeat {
    public String sensorId;
    public long windowIndex;
    public long startUs;
    public long endUs;
    public int height;
    public int width;
    public long events;
    /** The largest count of one pixel (the value that maps to 255). */
    public float maxCount;
    /** Row-major {@code height × width} heat values, unsigned. */
    public byte[] heat;

    public FrameHeat() {
    }

    /** The heat map of a framed window, exactly as the classifier receives it (after framing). */
    public static FrameHeat of(FramedWindow w) {
        int plane = w.height * w.width;
        float[] sum = new float[plane];
        for (int k = 0; k < w.bins; k++) {
            for (int c = 0; c < 2; c++) {
                int base = (k * 2 + c) * plane;
                for (int i = 0; i < plane; i++) {
                    sum[i] += w.frames[base + i];
                }
            }
        }
        float max = 0;
        for (float v : sum) {
            max = Math.max(max, v);
        }
        byte[] heat = new byte[plane];
        if (max > 0) {
            for (int i = 0; i < plane; i++) {
                heat[i] = (byte) Math.round(255 * Math.sqrt(sum[i] / max));
            }
        }
        FrameHeat f = new FrameHeat();
        f.sensorId = w.sensorId;
        f.windowIndex = w.index;
        f.startUs = w.startUs;
        f.endUs = w.endUs;
        f.height = w.height;
        f.width = w.width;
        f.events = w.events();
        f.maxCount = max;
        f.heat = heat;
        return f;
    }
}
