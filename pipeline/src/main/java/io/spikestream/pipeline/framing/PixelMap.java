package io.spikestream.pipeline.framing;

import io.spikestream.connectors.event.SensorGeometry;

/**
 * Where each sensor pixel lands on the model's input plane: integer-factor sum pooling, then a
 * centred crop (pooled size larger than the input) or letterbox (smaller). Precomputed as one
 * lookup table so that framing costs one array read per event.
 */
public final class PixelMap {
    private final SensorGeometry sensor;
    private final int factor;
    private final int offsetX;
    private final int offsetY;
    private final int[] target;

    private PixelMap(SensorGeometry sensor, int factor, int height, int width) {
        this.sensor = sensor;
        this.factor = factor;
        int pooledW = ceilDiv(sensor.width(), factor);
        int pooledH = ceilDiv(sensor.height(), factor);
        // floorDiv keeps the centring symmetric for odd differences in both directions
        this.offsetX = Math.floorDiv(width - pooledW, 2);
        this.offsetY = Math.floorDiv(height - pooledH, 2);
        this.target = new int[sensor.width() * sensor.height()];
        for (int y = 0; y < sensor.height(); y++) {
            int ty = y / factor + offsetY;
            for (int x = 0; x < sensor.width(); x++) {
                int tx = x / factor + offsetX;
                boolean inside = tx >= 0 && ty >= 0 && tx < width && ty < height;
                target[y * sensor.width() + x] = inside ? ty * width + tx : -1;
            }
        }
    }

    /** The map for a sensor of {@code geometry} under {@code spec} (auto factor from {@code spec.fit()}). */
    public static PixelMap of(FramingSpec spec, SensorGeometry geometry) {
        long pixels = (long) geometry.width() * geometry.height();
        if (pixels > (1 << 26)) {
            throw new IllegalArgumentException("sensor geometry " + geometry + " too large to frame");
        }
        int f = spec.downsample() > 0 ? spec.downsample() : autoFactor(geometry, spec.height(), spec.width(), spec.fit());
        return new PixelMap(geometry, f, spec.height(), spec.width());
    }

    /**
     * The pooling factor that fits {@code geometry} onto {@code height x width}: for crop the
     * largest factor whose pooled image still covers the input in both directions, for letterbox
     * the smallest whose pooled image fits inside it. At least 1.
     */
    public static int autoFactor(SensorGeometry geometry, int height, int width, FramingSpec.Fit fit) {
        int f;
        if (fit == FramingSpec.Fit.CROP) {
            f = Math.min(geometry.width() / width, geometry.height() / height);
        } else {
            f = Math.max(ceilDiv(geometry.width(), width), ceilDiv(geometry.height(), height));
        }
        return Math.max(1, f);
    }

    public SensorGeometry sensor() {
        return sensor;
    }

    public int factor() {
        return factor;
    }

    /** Index {@code ty * width + tx} on the input plane of sensor pixel (x, y), or -1 when cropped away. */
    public int target(int x, int y) {
        return target[y * sensor.width() + x];
    }

    /** The lookup table, indexed {@code y * sensorWidth + x}; shared, do not modify. */
    int[] table() {
        return target;
    }

    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    @Override
    public String toString() {
        return "PixelMap[" + sensor + " /" + factor + ", offset " + offsetX + "," + offsetY + "]";
    }
}
