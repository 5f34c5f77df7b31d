package io.spikestream.connectors.recording.gesture;

import java.nio.file.Path;

/**
 * One recording of the DVS128 Gesture layout: {@code userNN_<lighting>.aedat} (AEDAT 3.1) and its
 * {@code userNN_<lighting>_labels.csv}.
 */
public record GestureRecording(Path aedat, Path labels, int user, String lighting) {

    public GestureSplit split() {
        return GestureSplit.of(user);
    }

    /** The base name, e.g. {@code user07_led}. */
    public String baseName() {
        return baseName(user, lighting);
    }

    static String baseName(int user, String lighting) {
        return String.format("user%02d_%s", user, lighting);
    }
}
