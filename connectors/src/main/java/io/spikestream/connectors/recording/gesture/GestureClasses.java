package io.spikestream.connectors.recording.gesture;

import java.util.List;

/**
 * The 11 classes of DVS128 Gesture in their official order. Label files number them 1–11; the
 * rest of spikestream uses the 0-based index into {@link #NAMES}.
 */
public final class GestureClasses {
    public static final List<String> NAMES = List.of(
            "hand_clap",
            "right_hand_wave",
            "left_hand_wave",
            "right_arm_clockwise",
            "right_arm_counter_clockwise",
            "left_arm_clockwise",
            "left_arm_counter_clockwise",
            "arm_roll",
            "air_drums",
            "air_guitar",
            "other_gestures");

    public static final int COUNT = NAMES.size();

    private GestureClasses() {}

    /** The name of a 0-based class index. */
    public static String name(int classIndex) {
        return NAMES.get(classIndex);
    }

    /** The 0-based index of a class name, or -1. */
    public static int indexOf(String name) {
        return NAMES.indexOf(name);
    }
}
