package io.spikestream.connectors.synth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The clockwise and counter-clockwise classes must be separable only through the order of
 * events: collapsed over time, a clockwise take of a user looks like that user's
 * counter-clockwise take no less than like a repetition of itself, while in time order they
 * differ far more than repetitions do, and the direction of rotation is readable from the
 * sequence of event centroids. Nor may a single frame give the direction away through its
 * ON/OFF layout: that layout flips with the lit side, which is drawn at random.
 */
class TemporalOrderCueTest {
    private static final GestureSimulator SIM = new GestureSimulator(7);
    private static final Set<Gesture> ROLLS = EnumSet.of(Gesture.RIGHT_ARM_CLOCKWISE, Gesture.RIGHT_ARM_COUNTER_CLOCKWISE,
            Gesture.LEFT_ARM_CLOCKWISE, Gesture.LEFT_ARM_COUNTER_CLOCKWISE);
    private static final int TIME_BINS = 8;

    private record Sample(int user, Gesture gesture, int repetition, double[] collapsed, double[] ordered, double swept) {}

    private static final List<Sample> SAMPLES = new ArrayList<>();

    @BeforeAll
    static void simulateRollsOfThreeUsers() {
        for (int user = 1; user <= 3; user++) {
            RecordingPlan plan = SIM.plan(user, Lighting.named("fluorescent"), 2, ROLLS);
            EventBatch events = SIM.simulate(plan);
            for (Take take : plan.takes()) {
                SAMPLES.add(new Sample(user, take.gesture(), take.repetition(),
                        counts(events, take, 1), counts(events, take, TIME_BINS), sweptArea(events, take)));
            }
        }
    }

    @Test
    void timeCollapsedImagesOfOppositeDirectionsAreAsAlikeAsRepetitions() {
        double[] d = distances(true);
        double twins = d[0];
        double repetitions = d[1];
        assertTrue(twins <= 1.25 * repetitions,
                "collapsed L1 distance clockwise vs counter-clockwise " + twins + ", between repetitions " + repetitions);
    }

    @Test
    void timeOrderedFramesOfOppositeDirectionsDifferFarMoreThanRepetitions() {
        double[] d = distances(false);
        double twins = d[0];
        double repetitions = d[1];
        assertTrue(twins >= 2 * repetitions,
                "ordered L1 distance clockwise vs counter-clockwise " + twins + ", between repetitions " + repetitions);
    }

    /**
     * The area swept by the event centroid over time has the sign of the rotation (positive for
     * clockwise on screen, with y pointing down) in every take of every user.
     */
    @Test
    void theDirectionOfRotationIsReadableFromTheEventOrder() {
        for (Sample s : SAMPLES) {
            boolean clockwise = s.gesture() == Gesture.RIGHT_ARM_CLOCKWISE || s.gesture() == Gesture.LEFT_ARM_CLOCKWISE;
            assertTrue(clockwise ? s.swept() > 0 : s.swept() < 0,
                    "user " + s.user() + " " + s.gesture().label() + " #" + s.repetition() + ": swept area " + s.swept());
        }
    }

    /**
     * Within a short frame a moving edge fires ON on one side and OFF on the other, so the
     * polarity layout of a single frame shows the direction of motion once the sign of the arm's
     * contrast is known. Back-lighting flips that sign: a counter-clockwise take under the other
     * light fires, frame by frame in reverse, what the clockwise take fires, and differs from the
     * counter-clockwise take under the same light as much as clockwise does.
     */
    @Test
    void underTheOtherLightACounterClockwiseFrameLooksLikeTheClockwiseOne() {
        UserProfile user = UserProfile.of(7, 4);
        long len = Math.round(Choreography.takeSeconds(Gesture.RIGHT_ARM_CLOCKWISE, 1.0) * 1e6);
        Take cw = new Take(Gesture.RIGHT_ARM_CLOCKWISE, 0, 300_000, 300_000 + len, 1.0, 1.0, 1);
        Take ccw = new Take(Gesture.RIGHT_ARM_COUNTER_CLOCKWISE, 0, cw.endUs() + 400_000, cw.endUs() + 400_000 + len, 1.0, 1.0, 2);
        double[][] front = new double[2][];
        double[][] back = new double[2][];
        for (boolean backLit : new boolean[] {false, true}) {
            RecordingPlan plan = new RecordingPlan(7, user, Lighting.named("fluorescent"), List.of(cw, ccw), ccw.endUs() + 300_000, backLit);
            EventBatch events = SIM.simulate(plan);
            double[][] target = backLit ? back : front;
            target[0] = counts(events, cw, TIME_BINS);
            target[1] = reversed(counts(events, ccw, TIME_BINS));
        }
        double otherLight = l1(front[0], back[1]);
        double sameLight = l1(front[0], front[1]);
        double otherLightToo = l1(back[0], front[1]);
        double sameLightToo = l1(back[0], back[1]);
        assertTrue(otherLight < 0.3 * sameLight && otherLightToo < 0.3 * sameLightToo,
                "L1 distance of clockwise frames to reversed counter-clockwise frames: under the other light "
                        + otherLight + " / " + otherLightToo + ", under the same light " + sameLight + " / " + sameLightToo);
    }

    @Test
    void frontAndBackLitRecordingsAreEquallyLikely() {
        int back = 0;
        int n = 400;
        for (int user = 1; user <= n / 2; user++) {
            for (String light : List.of("lab", "natural")) {
                back += SIM.plan(user, Lighting.named(light), 1).backLit() ? 1 : 0;
            }
        }
        assertTrue(back > 0.42 * n && back < 0.58 * n, back + " of " + n + " recordings back-lit");
    }

    /** The frames of {@link #counts} in reverse time order. */
    private static double[] reversed(double[] frames) {
        double[] r = new double[frames.length];
        int frame = frames.length / TIME_BINS;
        for (int k = 0; k < TIME_BINS; k++) {
            System.arraycopy(frames, k * frame, r, (TIME_BINS - 1 - k) * frame, frame);
        }
        return r;
    }

    /** Mean distance {twin pairs (same user, arm, repetition), repetition pairs (same user and class)}. */
    private static double[] distances(boolean collapsed) {
        double twins = 0;
        int nTwins = 0;
        double reps = 0;
        int nReps = 0;
        for (Sample a : SAMPLES) {
            for (Sample b : SAMPLES) {
                if (a.user() != b.user() || a.gesture().ordinal() >= b.gesture().ordinal() && a.gesture() != b.gesture()) {
                    continue;
                }
                double d = l1(collapsed ? a.collapsed() : a.ordered(), collapsed ? b.collapsed() : b.ordered());
                if (a.gesture() == b.gesture() && a.repetition() < b.repetition()) {
                    reps += d;
                    nReps++;
                } else if (b.gesture() == a.gesture().temporalTwin() && a.repetition() == b.repetition()) {
                    twins += d;
                    nTwins++;
                }
            }
        }
        return new double[] {twins / nTwins, reps / nReps};
    }

    /** Event counts per polarity on an 16×16 grid in {@code bins} equal slices of the take, summing to 1. */
    private static double[] counts(EventBatch b, Take take, int bins) {
        double[] f = new double[bins * 2 * 16 * 16];
        long n = GestureSimulatorTest.countIn(b, take.startUs(), take.endUs());
        for (int i = 0; i < b.size(); i++) {
            long t = b.t(i);
            if (t < take.startUs() || t >= take.endUs()) {
                continue;
            }
            int bin = (int) ((t - take.startUs()) * bins / take.durationUs());
            f[((bin * 2 + b.p(i)) * 16 + b.y(i) / 8) * 16 + b.x(i) / 8] += 1.0 / n;
        }
        return f;
    }

    /** Shoelace area of the path of event centroids in 20 ms windows over the take. */
    private static double sweptArea(EventBatch b, Take take) {
        List<double[]> path = new ArrayList<>();
        long window = 20_000;
        int windows = (int) (take.durationUs() / window);
        double[] sx = new double[windows];
        double[] sy = new double[windows];
        int[] n = new int[windows];
        for (int i = 0; i < b.size(); i++) {
            long w = (b.t(i) - take.startUs()) / window;
            if (b.t(i) >= take.startUs() && w < windows) {
                sx[(int) w] += b.x(i);
                sy[(int) w] += b.y(i);
                n[(int) w]++;
            }
        }
        for (int w = 0; w < windows; w++) {
            if (n[w] > 0) {
                path.add(new double[] {sx[w] / n[w], sy[w] / n[w]});
            }
        }
        // The take starts and ends at rest, so the path is closed and its area does not depend
        // on the origin.
        double area = 0;
        for (int k = 0; k < path.size(); k++) {
            double[] p = path.get(k);
            double[] q = path.get((k + 1) % path.size());
            area += p[0] * q[1] - q[0] * p[1];
        }
        return area / 2;
    }

    private static double l1(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.abs(a[i] - b[i]);
        }
        return d;
    }
}
