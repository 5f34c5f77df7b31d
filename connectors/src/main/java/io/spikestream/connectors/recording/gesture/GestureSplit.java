package io.spikestream.connectors.recording.gesture;

/** The official DVS128 Gesture split: users 1–23 train, users 24–29 test. */
public enum GestureSplit {
    TRAIN,
    TEST;

    public static final int LAST_TRAIN_USER = 23;
    public static final int LAST_USER = 29;

    public static GestureSplit of(int user) {
        if (user < 1 || user > LAST_USER) {
            throw new IllegalArgumentException("DVS128 Gesture users are 1-" + LAST_USER + ", not " + user);
        }
        return user <= LAST_TRAIN_USER ? TRAIN : TEST;
    }
}
