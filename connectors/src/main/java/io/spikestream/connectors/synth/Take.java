package io.spikestream.connectors.synth;

/**
 * One performance of a gesture inside a recording: its label span and the small per-take
 * variations of tempo and extent a person never repeats exactly.
 *
 * @param gesture what is performed
 * @param repetition 0-based repetition of this gesture within the recording
 * @param startUs first microsecond of the labelled span (the arm starts leaving the rest pose)
 * @param endUs last microsecond of the labelled span (the arm is back at rest)
 * @param speed tempo of this take (user tempo times jitter)
 * @param amplitude extent of this take (user amplitude times jitter)
 * @param seed seed of the take's own random choices (only {@link Gesture#OTHER_GESTURES} uses it)
 */
public record Take(Gesture gesture, int repetition, long startUs, long endUs, double speed, double amplitude, long seed) {
    public Take {
        if (endUs <= startUs) {
            throw new IllegalArgumentException("empty take " + startUs + ".." + endUs);
        }
    }

    public long durationUs() {
        return endUs - startUs;
    }
}
