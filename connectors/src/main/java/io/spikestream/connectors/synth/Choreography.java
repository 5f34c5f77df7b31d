package io.spikestream.connectors.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Moves the two arms of a {@link UserProfile} through the takes of a {@link RecordingPlan}: where
 * the shoulder, elbow, wrist and fingertips are at any microsecond.
 *
 * <p>Each take eases from the rest pose into the gesture's start pose, performs whole cycles of
 * the gesture, and eases back. The pose is a pure function of the time (no state carried from
 * the previous call), so a gesture performed backwards in time, as counter-clockwise is to
 * clockwise, produces exactly the reversed sequence of images.
 *
 * <p>Poses are written as six capsules of five numbers ({@code x0, y0, x1, y1, radius}, pixels):
 * right upper arm, right forearm, right hand, left upper arm, left forearm, left hand. The
 * person faces the camera, so their right arm appears on the left of the image.
 */
final class Choreography {
    static final int SEGMENTS = 6;
    static final int STRIDE = 5;
    static final int POSE_LENGTH = SEGMENTS * STRIDE;

    private static final double EASE_S = 0.3;

    private final RecordingPlan plan;
    private final UserProfile u;
    private final double s;
    private final double upper;
    private final double fore;
    private final double hand;
    private final double[] shoulderX = new double[2];
    private final double shoulderY;
    private final double[] radius;
    private final long[] takeStarts;
    private final double[][] restArms = new double[2][];
    private final double[][][] takeStartArms;
    private final double[][][] takeEndArms;
    private final int[][] takeBends;
    private final double[][] otherMotion;
    private final double[] armScratch = new double[6];
    private final double[] wristScratch = new double[3];

    Choreography(RecordingPlan plan) {
        this.plan = plan;
        this.u = plan.user();
        this.s = u.scale();
        this.upper = 27 * s;
        this.fore = 25 * s;
        this.hand = 10 * s;
        this.radius = new double[] {5.5 * s, 4.5 * s, 4.2 * s};
        shoulderX[0] = u.centerX() - 20 * s;
        shoulderX[1] = u.centerX() + 20 * s;
        shoulderY = u.shoulderY();
        for (int a = 0; a < 2; a++) {
            // At rest the arms hang almost straight beside the torso, hands near the frame's bottom.
            restArms[a] = new double[6];
            double wx = shoulderX[a] + out(a) * 6 * s;
            double wy = shoulderY + 50 * s;
            armFromWrist(a, wx, wy, Double.NaN, bendFor(a, wx, wy), restArms[a]);
        }
        List<Take> takes = plan.takes();
        takeStarts = new long[takes.size()];
        takeStartArms = new double[takes.size()][2][6];
        takeEndArms = new double[takes.size()][2][6];
        takeBends = new int[takes.size()][2];
        otherMotion = new double[takes.size()][];
        double[] w = new double[3];
        for (int i = 0; i < takes.size(); i++) {
            Take t = takes.get(i);
            takeStarts[i] = t.startUs();
            if (t.gesture() == Gesture.OTHER_GESTURES) {
                otherMotion[i] = drawOtherMotion(new SplittableRandom(t.seed()));
            }
            for (int a = 0; a < 2; a++) {
                // The elbow side is fixed per take from the start pose, so it never flips mid-gesture
                // and a take and its time reverse bend the same way.
                if (!moves(t.gesture(), a)) {
                    takeStartArms[i][a] = restArms[a];
                    takeEndArms[i][a] = restArms[a];
                    continue;
                }
                wrist(t, i, a, 0, w);
                takeBends[i][a] = bendFor(a, w[0], w[1]);
                armFromWrist(a, w[0], w[1], w[2], takeBends[i][a], takeStartArms[i][a]);
                wrist(t, i, a, coreSeconds(t), w);
                armFromWrist(a, w[0], w[1], w[2], takeBends[i][a], takeEndArms[i][a]);
            }
        }
    }

    /** Writes the pose at time {@code tUs} into {@code pose} ({@link #POSE_LENGTH} numbers). */
    void pose(long tUs, double[] pose) {
        int i = takeAt(tUs);
        double[] arm = armScratch;
        for (int a = 0; a < 2; a++) {
            if (i < 0 || !moves(plan.takes().get(i).gesture(), a)) {
                System.arraycopy(restArms[a], 0, arm, 0, 6);
            } else {
                armInTake(plan.takes().get(i), i, a, tUs, arm);
            }
            writeArm(a, arm, pose);
        }
    }

    private int takeAt(long tUs) {
        int lo = 0;
        int hi = takeStarts.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (takeStarts[mid] <= tUs) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found >= 0 && tUs < plan.takes().get(found).endUs() ? found : -1;
    }

    private void armInTake(Take t, int i, int a, long tUs, double[] arm) {
        double sec = (tUs - t.startUs()) * 1e-6;
        double total = t.durationUs() * 1e-6;
        double ease = EASE_S / t.speed();
        double core = coreSeconds(t);
        if (sec < ease) {
            blend(restArms[a], takeStartArms[i][a], smoothstep(sec / ease), arm);
        } else if (sec >= ease + core) {
            // Periodic gestures end where they started, so easing out mirrors easing in.
            blend(takeEndArms[i][a], restArms[a], smoothstep((sec - ease - core) / ease), arm);
        } else {
            double[] w = wristScratch;
            wrist(t, i, a, sec - ease, w);
            armFromWrist(a, w[0], w[1], w[2], takeBends[i][a], arm);
        }
    }

    private static double coreSeconds(Take t) {
        return coreSeconds(t.gesture()) / t.speed();
    }

    /** Whether arm {@code a} (0 = right, 1 = left) takes part in the gesture. */
    static boolean moves(Gesture g, int a) {
        return switch (g) {
            case RIGHT_HAND_WAVE, RIGHT_ARM_CLOCKWISE, RIGHT_ARM_COUNTER_CLOCKWISE -> a == 0;
            case LEFT_HAND_WAVE, LEFT_ARM_CLOCKWISE, LEFT_ARM_COUNTER_CLOCKWISE -> a == 1;
            default -> true;
        };
    }

    /** Nominal seconds of a gesture's cycles at tempo 1, without easing in and out. */
    static double coreSeconds(Gesture g) {
        return switch (g) {
            case HAND_CLAP -> 3 * 0.5;
            case RIGHT_HAND_WAVE, LEFT_HAND_WAVE -> 3 * 0.45;
            case RIGHT_ARM_CLOCKWISE, RIGHT_ARM_COUNTER_CLOCKWISE, LEFT_ARM_CLOCKWISE, LEFT_ARM_COUNTER_CLOCKWISE -> 2 * 0.8;
            case ARM_ROLL -> 4 * 0.4;
            case AIR_DRUMS -> 4 * 0.38;
            case AIR_GUITAR -> 6 * 0.3;
            case OTHER_GESTURES -> 1.8;
        };
    }

    /** Seconds a whole take lasts at {@code speed}, easing included. */
    static double takeSeconds(Gesture g, double speed) {
        return (coreSeconds(g) + 2 * EASE_S) / speed;
    }

    /**
     * Target of arm {@code a}'s wrist {@code tau} seconds into the gesture's cycles:
     * {@code w = {x, y, hand angle or NaN to follow the forearm}}.
     */
    private void wrist(Take t, int i, int a, double tau, double[] w) {
        double out = out(a);
        double sx = shoulderX[a];
        double amp = t.amplitude();
        double phase = tau * t.speed();
        boolean right = a == 0;
        w[2] = Double.NaN;
        switch (t.gesture()) {
            case HAND_CLAP -> {
                double open = 0.5 + 0.5 * Math.cos(2 * Math.PI * phase / 0.5);
                w[0] = u.centerX() + out * (4 + 15 * amp * open) * s;
                w[1] = shoulderY + (22 + u.handsHeight()) * s;
                w[2] = -Math.PI / 2 - out * 0.35;
            }
            case RIGHT_HAND_WAVE, LEFT_HAND_WAVE -> {
                // Upper arm out and down, forearm up: the hand waves beside the head.
                double ex = sx + out * upper * Math.cos(0.7);
                double ey = shoulderY + upper * Math.sin(0.7);
                double cyc = Math.sin(2 * Math.PI * phase / 0.45);
                double phi = 0.12 + u.waveSpan() * amp * cyc;
                w[0] = ex + out * fore * Math.sin(phi);
                w[1] = ey - fore * Math.cos(phi);
                double foreAngle = Math.atan2(w[1] - ey, w[0] - ex);
                w[2] = foreAngle + out * 0.45 * Math.sin(2 * Math.PI * phase / 0.45 - 0.6);
            }
            case RIGHT_ARM_CLOCKWISE, RIGHT_ARM_COUNTER_CLOCKWISE, LEFT_ARM_CLOCKWISE, LEFT_ARM_COUNTER_CLOCKWISE -> {
                // Clockwise as the camera sees it: with y down, a growing angle turns clockwise.
                boolean cw = t.gesture() == Gesture.RIGHT_ARM_CLOCKWISE || t.gesture() == Gesture.LEFT_ARM_CLOCKWISE;
                double theta = -Math.PI / 2 + (cw ? 1 : -1) * 2 * Math.PI * phase / 0.8;
                ellipse(sx + out * 16 * s, shoulderY - 19 * s, 15 * amp * s, out * u.circleTilt(), theta, w);
            }
            case ARM_ROLL -> {
                double theta = -Math.PI / 2 + 2 * Math.PI * phase / 0.4 + (right ? 0 : Math.PI);
                ellipse(u.centerX() + out * 5 * s, shoulderY + (24 + u.handsHeight()) * s, 7 * amp * s, 0, theta, w);
                w[2] = Math.PI / 2 - out * (Math.PI / 2 + 0.2);
            }
            case AIR_DRUMS -> {
                double ph = phase / 0.38 + (right ? 0 : 0.5);
                double lift = Math.pow(Math.sin(Math.PI * ph), 2);
                w[0] = sx - out * 2 * s + out * 5 * s * Math.sin(Math.PI * phase / 0.76);
                w[1] = shoulderY + (36 + u.handsHeight()) * s - 13 * amp * s * lift;
                w[2] = -out * (0.25 + 0.5 * lift) + (out > 0 ? 0 : Math.PI);
            }
            case AIR_GUITAR -> {
                if (right) {
                    w[0] = u.centerX() - 4 * s;
                    w[1] = shoulderY + (38 + u.handsHeight()) * s + 10 * amp * s * Math.sin(2 * Math.PI * phase / 0.3);
                    w[2] = Math.PI / 2 + 0.5;
                } else {
                    w[0] = sx + out * 38 * s + out * 5 * amp * s * Math.sin(2 * Math.PI * phase / 0.9);
                    w[1] = shoulderY + 10 * s;
                    w[2] = -0.9;
                }
            }
            case OTHER_GESTURES -> {
                double[] m = otherMotion[i];
                int o = a * 14;
                w[0] = sx + out * m[o] * s;
                w[1] = shoulderY + m[o + 1] * s;
                for (int k = 0; k < 3; k++) {
                    int q = o + 2 + 4 * k;
                    w[0] += amp * s * m[q] * Math.sin(2 * Math.PI * m[q + 1] * phase + m[q + 2]);
                    w[1] += amp * s * m[q] * Math.cos(2 * Math.PI * m[q + 1] * phase + m[q + 3]);
                }
            }
            default -> throw new IllegalStateException("no motion for " + t.gesture());
        }
    }

    /** Random but smooth motion: an anchor per arm and three sinusoids, all starting and ending anywhere. */
    private static double[] drawOtherMotion(SplittableRandom r) {
        double[] m = new double[28];
        for (int a = 0; a < 2; a++) {
            int o = a * 14;
            m[o] = r.nextDouble(-5, 32);
            m[o + 1] = r.nextDouble(-12, 34);
            for (int k = 0; k < 3; k++) {
                int q = o + 2 + 4 * k;
                m[q] = r.nextDouble(2, 8);
                m[q + 1] = r.nextDouble(0.4, 1.8);
                m[q + 2] = r.nextDouble(0, 2 * Math.PI);
                m[q + 3] = r.nextDouble(0, 2 * Math.PI);
            }
        }
        return m;
    }

    private void ellipse(double cx, double cy, double r, double tilt, double theta, double[] w) {
        double ex = r * Math.cos(theta);
        double ey = r * u.circleAspect() * Math.sin(theta);
        double c = Math.cos(tilt);
        double sn = Math.sin(tilt);
        w[0] = cx + c * ex - sn * ey;
        w[1] = cy + sn * ex + c * ey;
    }

    private static double out(int a) {
        return a == 0 ? -1 : 1;
    }

    /** The elbow side that puts the elbow down and outwards for this wrist position. */
    private int bendFor(int a, double wx, double wy) {
        double[] e = new double[6];
        armFromWrist(a, wx, wy, Double.NaN, 1, e);
        double plus = out(a) * 0.6 * (e[0] - shoulderX[a]) + 0.8 * (e[1] - shoulderY);
        armFromWrist(a, wx, wy, Double.NaN, -1, e);
        double minus = out(a) * 0.6 * (e[0] - shoulderX[a]) + 0.8 * (e[1] - shoulderY);
        return plus >= minus ? 1 : -1;
    }

    /**
     * Two-link inverse kinematics: elbow, wrist and fingertip ({@code arm = {ex, ey, wx, wy, hx,
     * hy}}) for a wrist target, pulled in to the reachable ring around the shoulder.
     */
    private void armFromWrist(int a, double wx, double wy, double handAngle, int bend, double[] arm) {
        double sx = shoulderX[a];
        double dx = wx - sx;
        double dy = wy - shoulderY;
        double d = Math.hypot(dx, dy);
        double reach = upper + fore;
        double dClamped = Math.max(Math.abs(upper - fore) + 2 * s, Math.min(d, reach * 0.999));
        double base = d > 1e-9 ? Math.atan2(dy, dx) : Math.PI / 2;
        double cosAlpha = (upper * upper + dClamped * dClamped - fore * fore) / (2 * upper * dClamped);
        double alpha = Math.acos(Math.max(-1, Math.min(1, cosAlpha)));
        double ea = base + bend * alpha;
        arm[0] = sx + upper * Math.cos(ea);
        arm[1] = shoulderY + upper * Math.sin(ea);
        arm[2] = sx + dClamped * Math.cos(base);
        arm[3] = shoulderY + dClamped * Math.sin(base);
        double ha = Double.isNaN(handAngle)
                ? Math.atan2(arm[3] - arm[1], arm[2] - arm[0]) + out(a) * u.wristFlex()
                : handAngle;
        arm[4] = arm[2] + hand * Math.cos(ha);
        arm[5] = arm[3] + hand * Math.sin(ha);
    }

    private void writeArm(int a, double[] arm, double[] pose) {
        int o = a * 3 * STRIDE;
        double sx = shoulderX[a];
        set(pose, o, sx, shoulderY, arm[0], arm[1], radius[0]);
        set(pose, o + STRIDE, arm[0], arm[1], arm[2], arm[3], radius[1]);
        // The hand capsule starts a little inside the wrist so hand and forearm join without a gap.
        double hx = arm[2] + 0.25 * (arm[4] - arm[2]);
        double hy = arm[3] + 0.25 * (arm[5] - arm[3]);
        set(pose, o + 2 * STRIDE, hx, hy, arm[4], arm[5], radius[2]);
    }

    private static void set(double[] pose, int o, double x0, double y0, double x1, double y1, double r) {
        pose[o] = x0;
        pose[o + 1] = y0;
        pose[o + 2] = x1;
        pose[o + 3] = y1;
        pose[o + 4] = r;
    }

    private static void blend(double[] from, double[] to, double f, double[] out) {
        for (int k = 0; k < out.length; k++) {
            out[k] = from[k] + f * (to[k] - from[k]);
        }
    }

    private static double smoothstep(double x) {
        double c = Math.max(0, Math.min(1, x));
        return c * c * (3 - 2 * c);
    }

    double shoulderX(int a) {
        return shoulderX[a];
    }

    double shoulderY() {
        return shoulderY;
    }

    /**
     * Lays out a recording: the chosen gestures in class order, {@code repetitions} times, with a
     * per-take tempo and extent jitter and pauses at rest between takes.
     */
    static RecordingPlan plan(long seed, int user, Lighting lighting, int repetitions, Set<Gesture> gestures) {
        if (repetitions < 1 || repetitions > 20) {
            throw new IllegalArgumentException("repetitions " + repetitions + " outside 1..20");
        }
        if (gestures.isEmpty()) {
            throw new IllegalArgumentException("no gestures to perform");
        }
        UserProfile profile = UserProfile.of(seed, user);
        SplittableRandom r = new SplittableRandom(Seeds.derive(seed, 2, user, lighting.seedKey()));
        List<Take> takes = new ArrayList<>();
        long cursor = us(r.nextDouble(0.2, 0.4));
        for (int rep = 0; rep < repetitions; rep++) {
            for (Gesture g : Gesture.values()) {
                if (!gestures.contains(g)) {
                    continue;
                }
                double speed = profile.speed() * r.nextDouble(0.93, 1.07);
                double amp = profile.amplitude() * r.nextDouble(0.93, 1.07);
                long takeSeed = r.nextLong();
                long len = us(takeSeconds(g, speed));
                takes.add(new Take(g, rep, cursor, cursor + len, speed, amp, takeSeed));
                cursor += len + us(r.nextDouble(0.25, 0.5));
            }
        }
        boolean backLit = new SplittableRandom(Seeds.derive(seed, 7, user, lighting.seedKey())).nextBoolean();
        return new RecordingPlan(seed, profile, lighting, takes, cursor, backLit);
    }

    private static long us(double seconds) {
        return Math.round(seconds * 1e6);
    }
}
