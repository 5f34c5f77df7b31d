package io.spikestream.connectors.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spikestream.connectors.event.EventBatch;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GestureSimulatorTest {
    private static final long SEED = 20261126L;
    private static final GestureSimulator SIM = new GestureSimulator(SEED);
    private static final Set<Gesture> TWO = EnumSet.of(Gesture.HAND_CLAP, Gesture.RIGHT_ARM_CLOCKWISE);

    /** One user's whole recording (all eleven classes once), shared by the statistics tests. */
    private static RecordingPlan fullPlan;
    private static EventBatch full;

    @BeforeAll
    static void simulateOneFullRecording() {
        fullPlan = SIM.plan(3, Lighting.named("fluorescent"), 1);
        full = SIM.simulate(fullPlan);
    }

    @Test
    void sameSeedUserAndLightingGiveIdenticalEvents() {
        RecordingPlan plan = SIM.plan(5, Lighting.named("led"), 1, TWO);
        EventBatch a = SIM.simulate(plan);
        EventBatch b = new GestureSimulator(SEED).simulate(new GestureSimulator(SEED).plan(5, Lighting.named("led"), 1, TWO));
        assertTrue(a.size() > 10_000, "a real recording, not an empty one: " + a);
        assertTrue(a.sameEvents(b), "two runs differ: " + a + " vs " + b);
    }

    @Test
    void differentUsersLightingsAndSeedsGiveDifferentRecordings() {
        EventBatch base = SIM.simulate(SIM.plan(5, Lighting.named("led"), 1, TWO));
        EventBatch otherUser = SIM.simulate(SIM.plan(6, Lighting.named("led"), 1, TWO));
        EventBatch otherLight = SIM.simulate(SIM.plan(5, Lighting.named("lab"), 1, TWO));
        GestureSimulator otherSeed = new GestureSimulator(SEED + 1);
        EventBatch otherSeedEvents = otherSeed.simulate(otherSeed.plan(5, Lighting.named("led"), 1, TWO));
        assertFalse(base.sameEvents(otherUser));
        assertFalse(base.sameEvents(otherLight));
        assertFalse(base.sameEvents(otherSeedEvents));
        // Not merely shifted: the spatial distributions differ too.
        assertTrue(l1(countImage(base), countImage(otherUser)) > 0.2, "users look alike");
        assertTrue(l1(countImage(base), countImage(otherLight)) > 0.05, "lightings look alike");
    }

    @Test
    void everyEventIsOnTheSensorInTimeOrderWithAValidPolarity() {
        assertTrue(full.size() > 100_000, full.toString());
        long last = Long.MIN_VALUE;
        for (int i = 0; i < full.size(); i++) {
            if (!GestureSimulator.GEOMETRY.contains(full.x(i), full.y(i))) {
                fail("event " + i + " at (" + full.x(i) + ", " + full.y(i) + ") is off the 128x128 sensor");
            }
            if (full.t(i) < last) {
                fail("event " + i + " at t=" + full.t(i) + " after t=" + last);
            }
            if (full.p(i) != 0 && full.p(i) != 1) {
                fail("event " + i + " has polarity " + full.p(i));
            }
            last = full.t(i);
        }
        assertTrue(full.t(0) >= 0 && last <= fullPlan.durationUs(), "events outside the recording: " + full);
    }

    @Test
    void noPixelFiresTwiceWithinTheRefractoryPeriod() {
        long refractory = DvsSettings.DVS128.refractoryUs();
        long[] lastAt = new long[128 * 128];
        Arrays.fill(lastAt, Long.MIN_VALUE / 2);
        long closest = Long.MAX_VALUE;
        for (int i = 0; i < full.size(); i++) {
            int px = full.y(i) * 128 + full.x(i);
            long gap = full.t(i) - lastAt[px];
            closest = Math.min(closest, gap);
            if (gap < refractory) {
                fail("pixel (" + full.x(i) + ", " + full.y(i) + ") fired " + gap + " µs after its previous event");
            }
            lastAt[px] = full.t(i);
        }
        // Fast edges do drive pixels to their limit, so the check above is not vacuous.
        assertTrue(closest < 2 * refractory, "closest same-pixel gap " + closest + " µs");
    }

    /**
     * DVS128 Gesture's recordings run at tens to hundreds of thousands of events per second
     * while an arm moves (a 128×128 sensor, a person filling the view); the simulated takes must
     * fall in that band (25k to 500k events/s; across all 29 users the median take is about 60k,
     * small hand waves of slow users the lowest), not at the few thousand per second of
     * background noise nor at the millions a flickering or badly biased sensor would give.
     */
    @Test
    void everyClassIsPresentWithDvs128GestureLikeEventRates() {
        assertEquals(11, fullPlan.takes().size());
        for (Take take : fullPlan.takes()) {
            long n = countIn(full, take.startUs(), take.endUs());
            double rate = n / (take.durationUs() * 1e-6);
            assertTrue(rate >= 25_000 && rate <= 500_000, take.gesture().label() + ": " + Math.round(rate) + " events/s");
        }
        // Between takes the arms rest: only background activity and hot pixels.
        Take first = fullPlan.takes().get(0);
        Take second = fullPlan.takes().get(1);
        double pauseRate = countIn(full, first.endUs(), second.startUs()) / ((second.startUs() - first.endUs()) * 1e-6);
        assertTrue(pauseRate < 10_000, "events/s at rest: " + pauseRate);
    }

    @Test
    void onAndOffEventsAreBalanced() {
        long on = 0;
        for (int i = 0; i < full.size(); i++) {
            on += full.p(i);
        }
        double onShare = (double) on / full.size();
        assertTrue(onShare > 0.4 && onShare < 0.6, "ON share " + onShare);
    }

    @Test
    void hotPixelsFireFarMoreThanOrdinaryPixels() {
        int[] hot = SIM.hotPixels();
        assertEquals(DvsSettings.DVS128.hotPixels(), hot.length);
        int[] counts = new int[128 * 128];
        for (int i = 0; i < full.size(); i++) {
            counts[full.y(i) * 128 + full.x(i)]++;
        }
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        int median = sorted[sorted.length / 2];
        double seconds = fullPlan.durationUs() * 1e-6;
        for (int px : hot) {
            assertTrue(counts[px] > 20 * Math.max(1, median), "hot pixel " + px + ": " + counts[px] + " events, median " + median);
            assertTrue(counts[px] > 0.5 * DvsSettings.DVS128.hotPixelHz() * seconds, "hot pixel " + px + ": " + counts[px]);
        }
        // The same camera records everyone: hot pixels do not depend on user or lighting.
        assertTrue(Arrays.equals(hot, new GestureSimulator(SEED).hotPixels()));
    }

    @Test
    void dimLightMeansMoreBackgroundActivityAtRest() {
        Set<Gesture> one = EnumSet.of(Gesture.RIGHT_HAND_WAVE);
        double bright = restRate(SIM.plan(2, Lighting.named("natural"), 1, one));
        double dim = restRate(SIM.plan(2, Lighting.named("lab"), 1, one));
        assertTrue(dim > 3 * bright, "rest events/s: lab " + dim + ", natural " + bright);
    }

    private static double restRate(RecordingPlan plan) {
        EventBatch events = SIM.simulate(plan);
        Take take = plan.takes().get(0);
        long restUs = plan.durationUs() - take.durationUs();
        long atRest = events.size() - countIn(events, take.startUs(), take.endUs());
        return atRest / (restUs * 1e-6);
    }

    static long countIn(EventBatch b, long fromUs, long toUs) {
        long n = 0;
        for (int i = 0; i < b.size(); i++) {
            if (b.t(i) >= fromUs && b.t(i) < toUs) {
                n++;
            }
        }
        return n;
    }

    private static double[] countImage(EventBatch b) {
        double[] img = new double[16 * 16];
        for (int i = 0; i < b.size(); i++) {
            img[(b.y(i) / 8) * 16 + b.x(i) / 8] += 1.0 / b.size();
        }
        return img;
    }

    private static double l1(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d += Math.abs(a[i] - b[i]);
        }
        return d;
    }
}
