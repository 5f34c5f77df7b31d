package io.spikestream.connectors.synth;

import java.util.List;

/**
 * The eleven gestures of DVS128 Gesture, in the official class order (class id 1 to 11), as
 * motions the simulator can perform.
 *
 * <p>The clockwise and counter-clockwise rolls of each arm trace the same circle from the same
 * start point in opposite directions, so within such a pair only the order of motion tells the
 * classes apart (see {@link #temporalTwin()}).
 */
public enum Gesture {
    HAND_CLAP("hand_clap"),
    RIGHT_HAND_WAVE("right_hand_wave"),
    LEFT_HAND_WAVE("left_hand_wave"),
    RIGHT_ARM_CLOCKWISE("right_arm_clockwise"),
    RIGHT_ARM_COUNTER_CLOCKWISE("right_arm_counter_clockwise"),
    LEFT_ARM_CLOCKWISE("left_arm_clockwise"),
    LEFT_ARM_COUNTER_CLOCKWISE("left_arm_counter_clockwise"),
    ARM_ROLL("arm_roll"),
    AIR_DRUMS("air_drums"),
    AIR_GUITAR("air_guitar"),
    OTHER_GESTURES("other_gestures");

    private static final List<Gesture> ALL = List.of(values());
    private final String label;

    Gesture(String label) {
        this.label = label;
    }

    /** The class id used in DVS128 Gesture label files (1 to 11). */
    public int classId() {
        return ordinal() + 1;
    }

    /** The class name as in the DVS128 Gesture documentation. */
    public String label() {
        return label;
    }

    public static Gesture ofClassId(int classId) {
        if (classId < 1 || classId > ALL.size()) {
            throw new IllegalArgumentException("gesture class id " + classId + " outside 1.." + ALL.size());
        }
        return ALL.get(classId - 1);
    }

    /**
     * The gesture that performs the same motion reversed in time (clockwise ↔ counter-clockwise of
     * the same arm), or {@code null} when there is none.
     */
    public Gesture temporalTwin() {
        return switch (this) {
            case RIGHT_ARM_CLOCKWISE -> RIGHT_ARM_COUNTER_CLOCKWISE;
            case RIGHT_ARM_COUNTER_CLOCKWISE -> RIGHT_ARM_CLOCKWISE;
            case LEFT_ARM_CLOCKWISE -> LEFT_ARM_COUNTER_CLOCKWISE;
            case LEFT_ARM_COUNTER_CLOCKWISE -> LEFT_ARM_CLOCKWISE;
            default -> null;
        };
    }
}
