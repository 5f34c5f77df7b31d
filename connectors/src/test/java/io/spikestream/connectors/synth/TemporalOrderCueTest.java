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
 * sequence of event centroids.
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
