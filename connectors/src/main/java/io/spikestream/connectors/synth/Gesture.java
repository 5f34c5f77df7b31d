package io.spikestream.connectors.synth;

import io.spikestream.connectors.recording.gesture.GestureClasses;
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
    HAND_CLAP,
    RIGHT_HAND_WAVE,
    LEFT_HAND_WAVE,
    RIGHT_ARM_CLOCKWISE,
    RIGHT_ARM_COUNTER_CLOCKWISE,
    LEFT_ARM_CLOCKWISE,
    LEFT_ARM_COUNTER_CLOCKWISE,
    ARM_ROLL,
    AIR_DRUMS,
    AIR_GUITAR,
    OTHER_GESTURES;

    private static final List<Gesture> ALL = List.of(values());

    /** The class id used in DVS128 Gesture label files (1 to 11). */
    public int classId() {
        return ordinal() + 1;
    }

    /** The 0-based class index used by the rest of spikestream ({@link GestureClasses}). */
    public int classIndex() {
        return ordinal();
    }

    /** The class name as in the DVS128 Gesture documentation. */
    public String label() {
        return GestureClasses.name(ordinal());
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
