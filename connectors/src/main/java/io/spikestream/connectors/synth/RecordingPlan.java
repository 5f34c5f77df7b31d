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
 */
public record RecordingPlan(long seed, UserProfile user, Lighting lighting, List<Take> takes, long durationUs) {
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

    /** The DVS128 Gesture base file name, e.g. {@code user07_led}. */
    public String baseName() {
        return String.format("user%02d_%s", user.user(), lighting.name());
    }
}
