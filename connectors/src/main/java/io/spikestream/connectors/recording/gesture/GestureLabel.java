package io.spikestream.connectors.recording.gesture;

/**
 * One labelled gesture of a recording: its class and the span {@code [startUs, endUs)} in the
 * recording's clock.
 *
 * @param classIndex 0-based index into {@link GestureClasses#NAMES} (label files store it + 1)
 */
public record GestureLabel(int classIndex, long startUs, long endUs) {
    public GestureLabel {
        if (classIndex < 0 || classIndex >= GestureClasses.COUNT) {
            throw new IllegalArgumentException("class index " + classIndex + " outside [0, " + GestureClasses.COUNT + ")");
        }
        if (endUs <= startUs) {
            throw new IllegalArgumentException("end " + endUs + " µs is not after start " + startUs + " µs");
        }
    }

    public String className() {
        return GestureClasses.name(classIndex);
    }

    public boolean contains(long tUs) {
        return tUs >= startUs && tUs < endUs;
    }
}
