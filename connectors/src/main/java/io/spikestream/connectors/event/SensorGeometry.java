package io.spikestream.connectors.event;

/** Width and height of a sensor's pixel array; valid coordinates are {@code [0, width) x [0, height)}. */
public record SensorGeometry(int width, int height) {
    public SensorGeometry {
        if (width <= 0 || height <= 0 || width > 65535 || height > 65535) {
            throw new IllegalArgumentException("impossible sensor geometry " + width + "x" + height);
        }
    }

    public boolean contains(int x, int y) {
        return x >= 0 && y >= 0 && x < width && y < height;
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
