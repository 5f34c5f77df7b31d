package io.spikestream.connectors.synth;

import java.util.List;

/**
 * What a synthetic recording contains before any event is simulated: who, under which light, and
 * the takes in time order with their label spans.
 *
 * @param seed the dataset seed everything is derived from
 * @param user the performer
 * @param lighting the session's light
 * @param takes the gestures in time order, separated by pauses at rest
 * @param durationUs length of the whole recording (the last take plus a closing pause)
 * @param backLit whether the performer stands against the light, so their arms are darker than
 *     what lies behind them instead of brighter; see {@link #backLit()}
 */
public record RecordingPlan(long seed, UserProfile user, Lighting lighting, List<Take> takes, long durationUs, boolean backLit) {
    public RecordingPlan {
        takes = List.copyOf(takes);
        long last = 0;
        for (Take t : takes) {
            if (t.startUs() < last) {
                throw new IllegalArgumentException("takes overlap or are out of order at " + t);
            }
            last = t.endUs();
        }
        if (durationUs < last) {
            throw new IllegalArgumentException("recording ends at " + durationUs + " before its last take ends at " + last);
        }
    }

    /**
     * Front- or back-lit, drawn per user and lighting with even odds. A moving edge fires ON
     * events on one side and OFF on the other, so within one short frame the polarity layout
     * shows the direction of motion only once the sign of the arm's contrast is known; drawing
     * that sign at random is what makes clockwise and counter-clockwise separable by the order of
     * frames alone.
     */
    @Override
    public boolean backLit() {
        return backLit;
    }

    /** The DVS128 Gesture base file name, e.g. {@code user07_led}. */
    public String baseName() {
        return String.format("user%02d_%s", user.user(), lighting.name());
    }
}
