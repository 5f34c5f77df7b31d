package io.spikestream.connectors.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChoreographyTest {
    private static final long SEED = 11;

    @Test
    void aRecordingPerformsEveryGestureInClassOrderWithLabelSpansOfAFewSeconds() {
        RecordingPlan plan = Choreography.plan(SEED, 4, Lighting.named("led"), 2, EnumSet.allOf(Gesture.class));
        assertEquals(22, plan.takes().size());
        long previousEnd = 0;
        for (int k = 0; k < plan.takes().size(); k++) {
            Take t = plan.takes().get(k);
            assertEquals(Gesture.values()[k % 11], t.gesture());
            assertEquals(k / 11, t.repetition());
            assertTrue(t.durationUs() >= 1_000_000 && t.durationUs() <= 3_600_000, t.toString());
            assertTrue(t.startUs() - previousEnd >= 200_000, "pause before " + t);
            previousEnd = t.endUs();
        }
        assertTrue(plan.durationUs() - previousEnd >= 200_000);
        assertEquals("user04_led", plan.baseName());
    }

    @Test
    void repeatedPlansAreIdenticalAndLightingsShuffleOnlyTheTiming() {
        RecordingPlan a = Choreography.plan(SEED, 4, Lighting.named("led"), 1, EnumSet.allOf(Gesture.class));
        RecordingPlan b = Choreography.plan(SEED, 4, Lighting.named("led"), 1, EnumSet.allOf(Gesture.class));
        RecordingPlan c = Choreography.plan(SEED, 4, Lighting.named("lab"), 1, EnumSet.allOf(Gesture.class));
        assertEquals(a, b);
        assertEquals(a.user(), c.user(), "the same person under every light");
        assertNotEquals(a.takes(), c.takes());
    }

    @Test
    void usersDifferInSizePlaceTempoExtentAndClothes() {
        List<UserProfile> users = java.util.stream.IntStream.rangeClosed(1, 29).mapToObj(u -> UserProfile.of(SEED, u)).toList();
        assertEquals(users, java.util.stream.IntStream.rangeClosed(1, 29).mapToObj(u -> UserProfile.of(SEED, u)).toList());
        assertTrue(spread(users.stream().mapToDouble(UserProfile::scale).toArray()) > 0.15);
        assertTrue(spread(users.stream().mapToDouble(UserProfile::centerX).toArray()) > 6);
        assertTrue(spread(users.stream().mapToDouble(UserProfile::speed).toArray()) > 0.3);
        assertTrue(spread(users.stream().mapToDouble(UserProfile::amplitude).toArray()) > 0.2);
        long dark = users.stream().filter(u -> u.shirtReflectance() < 0.5).count();
        assertTrue(dark > 3 && dark < 26, "dark shirts: " + dark);
        assertNotEquals(UserProfile.of(SEED, 1), UserProfile.of(SEED + 1, 1));
    }

    /**
     * The counter-clockwise roll is the clockwise roll played backwards: at every instant the
     * pose equals the other's pose mirrored in time, so the set of images is the same and only
     * their order differs.
     */
    @Test
    void counterClockwiseIsClockwisePlayedBackwards() {
        for (Gesture cw : List.of(Gesture.RIGHT_ARM_CLOCKWISE, Gesture.LEFT_ARM_CLOCKWISE)) {
            Gesture ccw = cw.temporalTwin();
            long len = Math.round(Choreography.takeSeconds(cw, 1.1) * 1e6);
            Take a = new Take(cw, 0, 100_000, 100_000 + len, 1.1, 0.95, 1);
            Take b = new Take(ccw, 0, a.endUs() + 300_000, a.endUs() + 300_000 + len, 1.1, 0.95, 2);
            Choreography body = new Choreography(new RecordingPlan(SEED, UserProfile.of(SEED, 9), Lighting.named("lab"),
                    List.of(a, b), b.endUs() + 100_000, false));
            double[] p = new double[Choreography.POSE_LENGTH];
            double[] q = new double[Choreography.POSE_LENGTH];
            double[] start = new double[Choreography.POSE_LENGTH];
            body.pose(a.startUs(), start);
            boolean moved = false;
            for (long tau = 0; tau <= len; tau += 1_000) {
                body.pose(a.startUs() + tau, p);
                body.pose(b.endUs() - tau, q);
                for (int k = 0; k < p.length; k++) {
                    assertEquals(p[k], q[k], 1e-6, cw + " at " + tau + " µs, coordinate " + k);
                }
                moved |= !Arrays.equals(p, start);
            }
            assertTrue(moved, "the arm moved");
        }
        assertEquals(Gesture.RIGHT_ARM_COUNTER_CLOCKWISE, Gesture.RIGHT_ARM_CLOCKWISE.temporalTwin());
        assertEquals(Gesture.LEFT_ARM_CLOCKWISE, Gesture.LEFT_ARM_COUNTER_CLOCKWISE.temporalTwin());
        assertNull(Gesture.HAND_CLAP.temporalTwin());
    }

    @Test
    void classIdsFollowTheOfficialOrder() {
        assertEquals("hand_clap", Gesture.ofClassId(1).label());
        assertEquals("right_arm_counter_clockwise", Gesture.ofClassId(5).label());
        assertEquals("other_gestures", Gesture.ofClassId(11).label());
        assertThrows(IllegalArgumentException.class, () -> Gesture.ofClassId(12));
        for (Gesture g : Gesture.values()) {
            assertEquals(g.name().toLowerCase(java.util.Locale.ROOT), g.label(), "motion and class name agree");
        }
    }

    @Test
    void unknownLightingNamesTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lighting.named("candle"));
        assertTrue(e.getMessage().contains("candle") && e.getMessage().contains("fluorescent_led"), e.getMessage());
        assertEquals(5, Lighting.STANDARD.size());
    }

    private static double spread(double[] v) {
        return Arrays.stream(v).max().orElseThrow() - Arrays.stream(v).min().orElseThrow();
    }
}
