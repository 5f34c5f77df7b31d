package io.spikestream.pipeline.framing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramerTest {
    private static final SensorGeometry G4 = new SensorGeometry(4, 4);

    /** dt 100 µs, 2 bins per window, 4x4 sensor onto a 4x4 input. */
    private static FramingSpec small() {
        return FramingSpec.tumbling(100, 2, 4, 4, G4);
    }

    private static int at(FramingSpec s, int bin, int p, int y, int x) {
        return ((bin * 2 + p) * s.height() + y) * s.width() + x;
    }

    @Test
    void binsEventsByTimeAndPolarityIntoFramesOfShapeBinsChannelsHeightWidth() {
        EventBatch b = new EventBatch();
        b.add(10, 1, 2, 1);
        b.add(20, 1, 2, 1);
        b.add(150, 3, 0, 0);
        b.add(230, 0, 3, 1);
        List<Window> ws = Framer.frames(b, small(), G4, "s");
        assertEquals(2, ws.size());
        Window w0 = ws.get(0);
        assertEquals(0, w0.index());
        assertEquals(0, w0.startUs());
        assertEquals(200, w0.endUs());
        float[] expected = new float[small().windowSize()];
        expected[at(small(), 0, 1, 2, 1)] = 2;
        expected[at(small(), 1, 0, 0, 3)] = 1;
        assertArrayEquals(expected, w0.frames());
        assertArrayEquals(new int[] {2, 1}, w0.binEvents());
        Window w1 = ws.get(1);
        assertEquals(1, w1.index());
        assertEquals(200, w1.startUs());
        float[] expected1 = new float[small().windowSize()];
        expected1[at(small(), 0, 1, 3, 0)] = 1;
        assertArrayEquals(expected1, w1.frames());
    }

    @Test
    void clippingTurnsCountsIntoBinarySpikes() {
        EventBatch b = new EventBatch();
        for (int i = 0; i < 5; i++) {
            b.add(10 + i, 2, 2, 0);
        }
        Window w = Framer.frames(b, small().withClip(true), G4, "s").get(0);
        assertEquals(1f, w.frames()[at(small(), 0, 0, 2, 2)]);
        assertEquals(5, w.events());
    }

    @Test
    void sumPoolingAddsTheEventsOfEachBlock() {
        SensorGeometry g8 = new SensorGeometry(8, 8);
        FramingSpec spec = FramingSpec.tumbling(100, 1, 4, 4, g8);
        EventBatch b = new EventBatch();
        b.add(1, 6, 2, 1);
        b.add(2, 7, 2, 1);
        b.add(3, 6, 3, 1);
        b.add(4, 7, 3, 1);
        Window w = Framer.frames(b, spec, g8, "s").get(0);
        assertEquals(4f, w.frames()[at(spec, 0, 1, 1, 3)]);
        assertEquals(4f, sum(w.frames()));
    }

    @Test
    void croppedEventsAreCountedButNotFramed() {
        SensorGeometry wide = new SensorGeometry(8, 4);
        Framer f = new Framer(FramingSpec.tumbling(100, 1, 4, 4, wide), "s", wide);
        EventBatch b = new EventBatch();
        b.add(1, 0, 0, 1); // pooled factor 1: columns 0,1 and 6,7 are cut
        b.add(2, 3, 0, 1);
        f.accept(b);
        Window w = f.advanceTo(Long.MAX_VALUE).get(0);
        assertEquals(1, f.cropped());
        assertEquals(1f, sum(w.frames()));
    }

    @Test
    void overlappingWindowsShareTheirBinsWhenTheHopIsShorter() {
        FramingSpec spec = FramingSpec.tumbling(100, 3, 4, 4, G4).withHop(1);
        EventBatch b = new EventBatch();
        b.add(250, 1, 1, 0); // bin 2: part of windows 0, 1 and 2
        List<Window> ws = Framer.frames(b, spec, G4, "s");
        assertEquals(List.of(0L, 1L, 2L), ws.stream().map(Window::index).toList());
        assertEquals(1f, ws.get(0).frames()[at(spec, 2, 0, 1, 1)]);
        assertEquals(1f, ws.get(1).frames()[at(spec, 1, 0, 1, 1)]);
        assertEquals(1f, ws.get(2).frames()[at(spec, 0, 0, 1, 1)]);
        assertEquals(100, ws.get(1).startUs());
    }

    @Test
    void aWindowClosesOnlyOnceTheWatermarkReachesItsEnd() {
        Framer f = new Framer(small(), "s", G4);
        EventBatch b = new EventBatch();
        b.add(50, 0, 0, 1);
        f.accept(b);
        assertTrue(f.advanceTo(198).isEmpty());
        assertEquals(199, f.nextCloseUs());
        assertEquals(1, f.advanceTo(199).size());
        assertTrue(f.advanceTo(10_000).isEmpty());
    }

    @Test
    void eventsForAnEmittedWindowAreLateAndSetAside() {
        Framer f = new Framer(small(), "s", G4);
        List<Reject> reasons = new ArrayList<>();
        f.rejectsTo((r, t, x, y, p) -> reasons.add(r));
        EventBatch b = new EventBatch();
        b.add(50, 0, 0, 1);
        f.accept(b);
        f.advanceTo(250);
        b.clear();
        b.add(120, 1, 1, 1); // window 0 is gone
        b.add(260, 1, 1, 1); // window 1 is still open
        f.accept(b);
        assertEquals(1, f.late());
        assertEquals(List.of(Reject.LATE), reasons);
        Window w1 = f.advanceTo(Long.MAX_VALUE).get(0);
        assertEquals(1, w1.index());
        assertEquals(1, w1.events());
    }

    @Test
    void eventsOutsideTheGeometryOrWithABadPolarityAreOutOfBounds() {
        Framer f = new Framer(small(), "s", G4);
        EventBatch b = new EventBatch();
        b.add(1, 4, 0, 1);
        b.add(2, 0, 4, 0);
        b.add(3, -1, 0, 0);
        b.add(4, 0, 0, 2);
        b.add(5, 3, 3, 1);
        f.accept(b);
        assertEquals(4, f.outOfBounds());
        assertEquals(1, f.accepted());
    }

    @Test
    void shortSilencesAreBridgedByEmptyWindowsAndLongOnesSkipped() {
        FramingSpec spec = small(); // 200 µs windows
        Framer f = new Framer(spec, "s", G4, 1_000); // bridge up to 5 windows
        EventBatch b = new EventBatch();
        b.add(10, 0, 0, 1);    // window 0
        b.add(810, 0, 0, 1);   // window 4: 3 empty windows between
        b.add(50_010, 0, 0, 1); // window 250: a long silence
        f.accept(b);
        List<Window> ws = f.advanceTo(Long.MAX_VALUE);
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 250L), ws.stream().map(Window::index).toList());
        assertEquals(0, ws.get(2).events());
    }

    @Test
    void aQuietSensorEmitsNoTrailingEmptyWindows() {
        Framer f = new Framer(small(), "s", G4);
        EventBatch b = new EventBatch();
        b.add(10, 0, 0, 1);
        f.accept(b);
        assertEquals(1, f.advanceTo(1_000_000).size());
        assertTrue(f.advanceTo(2_000_000).isEmpty());
        assertTrue(!f.hasPending());
    }

    @Test
    void flushClosesTheLastWindowWithoutAWatermark() {
        Framer f = new Framer(small(), "s", G4);
        EventBatch b = new EventBatch();
        b.add(10, 0, 0, 1);
        b.add(450, 0, 0, 1);
        f.accept(b);
        List<Window> ws = new ArrayList<>();
        f.flush(ws::add);
        assertEquals(List.of(0L, 1L, 2L), ws.stream().map(Window::index).toList());
    }

    @Test
    void denoiseKeepsEventsWithARecentNeighbourAndDropsIsolatedOnes() {
        FramingSpec spec = small().withDenoise(100);
        Framer f = new Framer(spec, "s", G4);
        EventBatch b = new EventBatch();
        b.add(10, 1, 1, 1);  // nobody fired yet: noise
        b.add(20, 1, 1, 1);  // only its own pixel fired: still noise
        b.add(30, 2, 2, 1);  // diagonal neighbour (1,1) at 20: passes
        b.add(200, 0, 3, 0); // neighbours silent: noise
        b.add(215, 2, 1, 0); // (1,1) and (2,2) fired too long ago (>100 µs): noise
        b.add(220, 3, 1, 0); // neighbour (2,1) at 215: passes
        f.accept(b);
        List<Window> ws = f.advanceTo(Long.MAX_VALUE);
        assertEquals(4, f.denoised());
        assertEquals(2, f.accepted());
        assertEquals(1f, ws.get(0).frames()[at(spec, 0, 1, 2, 2)]);
        assertEquals(1f, ws.get(1).frames()[at(spec, 0, 0, 1, 3)]);
    }

    @Test
    void aBoundOnOpenBinsTurnsAFloodOfFutureTimestampsIntoRejectsNotMemory() {
        Framer f = new Framer(small(), "s", G4);
        EventBatch b = new EventBatch();
        for (int i = 0; i < 100_000; i++) {
            b.add(i * 1000L, 0, 0, 1); // one bin each, never closed
        }
        f.accept(b);
        assertTrue(f.tooFarAhead() > 0);
        assertEquals(100_000, f.tooFarAhead() + f.accepted());
    }

    @Test
    void streamingInArbitraryPiecesEqualsTheOfflineFramesOfTheSameEvents() {
        Random rnd = new Random(7);
        SensorGeometry g = new SensorGeometry(34, 26);
        FramingSpec spec = new FramingSpec(1_000, 4, 2, 8, 8, g, 0, FramingSpec.Fit.LETTERBOX, true, true, 2_000);
        EventBatch all = randomEvents(rnd, g, 20_000, 150);
        List<Window> offline = Framer.frames(all, spec, g, "s");
        assertTrue(offline.size() > 50, "enough windows to compare");

        Framer f = new Framer(spec, "s", g);
        List<Window> streamed = new ArrayList<>();
        int i = 0;
        while (i < all.size()) {
            int n = Math.min(all.size() - i, 1 + rnd.nextInt(700));
            f.accept(all, i, i + n);
            i += n;
            f.advanceTo(all.t(i - 1) - spec.windowUs(), streamed::add);
        }
        f.advanceTo(Long.MAX_VALUE, streamed::add);
        assertEquals(offline.size(), streamed.size());
        for (int w = 0; w < offline.size(); w++) {
            assertTrue(offline.get(w).sameAs(streamed.get(w)), "window " + w);
        }
    }

    @Test
    void framesEqualANaiveOneEventAtATimeReference() {
        Random rnd = new Random(11);
        SensorGeometry g = new SensorGeometry(64, 48);
        FramingSpec spec = new FramingSpec(500, 3, 3, 16, 16, g, 0, FramingSpec.Fit.CROP, false, false, 0);
        EventBatch all = randomEvents(rnd, g, 5_000, 40);
        List<Window> ws = Framer.frames(all, spec, g, "s");
        // reference: factor = min(64/16, 48/16) = 3, pooled 22x16, crop offset x = (16-22)/2 = -3
        long first = Math.floorDiv(all.t(0), 500L * 3);
        for (Window w : ws) {
            float[] ref = new float[spec.windowSize()];
            for (int e = 0; e < all.size(); e++) {
                long bin = Math.floorDiv(all.t(e), 500L) - w.index() * 3;
                int tx = all.x(e) / 3 - 3;
                int ty = all.y(e) / 3;
                if (bin >= 0 && bin < 3 && tx >= 0 && tx < 16 && ty < 16) {
                    ref[(((int) bin * 2 + all.p(e)) * 16 + ty) * 16 + tx] += 1;
                }
            }
            assertArrayEquals(ref, w.frames(), "window " + w.index());
            assertTrue(w.index() >= first);
        }
    }

    @Test
    void stateWrittenAtACheckpointContinuesExactlyWhereItWas() throws IOException {
        Random rnd = new Random(3);
        SensorGeometry g = new SensorGeometry(16, 16);
        FramingSpec spec = FramingSpec.tumbling(1_000, 4, 8, 8, g).withDenoise(3_000);
        EventBatch all = randomEvents(rnd, g, 4_000, 400);
        List<Window> straight = Framer.frames(all, spec, g, "s");

        Framer first = new Framer(spec, "s", g);
        List<Window> resumed = new ArrayList<>();
        int half = all.size() / 2;
        first.accept(all, 0, half);
        first.advanceTo(all.t(half - 1) - spec.windowUs(), resumed::add);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        first.writeState(new DataOutputStream(bytes));
        Framer second = Framer.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        second.accept(all, half, all.size());
        second.advanceTo(Long.MAX_VALUE, resumed::add);

        assertEquals(straight.size(), resumed.size());
        for (int w = 0; w < straight.size(); w++) {
            assertTrue(straight.get(w).sameAs(resumed.get(w)), "window " + w);
        }
    }

    @Test
    void truncatedOrCorruptStateIsAnIoErrorNotAHugeAllocation() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeUTF(small().toJson());
        out.writeUTF("s");
        out.writeInt(4);
        out.writeInt(4);
        out.writeLong(1000);
        out.writeLong(0);
        out.writeLong(0);
        out.writeInt(Integer.MAX_VALUE); // open bins
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> Framer.readState(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray()))));
        assertTrue(e.getMessage().contains("open bins"), e.getMessage());
    }

    @Test
    void stateCutShortAnywhereIsAnIoError() throws IOException {
        // a real state with open bins and a denoise map, so that every part of the format is cut somewhere
        SensorGeometry g = new SensorGeometry(16, 16);
        FramingSpec spec = FramingSpec.tumbling(1_000, 4, 8, 8, g).withDenoise(3_000);
        Framer f = new Framer(spec, "s", g);
        EventBatch events = randomEvents(new Random(5), g, 500, 40);
        f.accept(events, 0, events.size());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        f.writeState(new DataOutputStream(bytes));
        byte[] whole = bytes.toByteArray();
        Framer restored = Framer.readState(new DataInputStream(new ByteArrayInputStream(whole)));
        assertTrue(f.accepted() > 0, "the framer holds events");
        for (int length = 0; length < whole.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(whole, length);
            org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> Framer.readState(new DataInputStream(new ByteArrayInputStream(cut))), "state cut at byte " + length);
        }
        List<Window> fromOriginal = new ArrayList<>();
        List<Window> fromRestored = new ArrayList<>();
        f.advanceTo(Long.MAX_VALUE, fromOriginal::add);
        restored.advanceTo(Long.MAX_VALUE, fromRestored::add);
        assertEquals(fromOriginal.size(), fromRestored.size());
        assertTrue(!fromOriginal.isEmpty(), "the state held windows");
        for (int w = 0; w < fromOriginal.size(); w++) {
            assertTrue(fromOriginal.get(w).sameAs(fromRestored.get(w)), "window " + w);
        }
    }

    /** Events at a mean rate of one per {@code meanGapUs / 2} with ~1% disorder, mostly in bounds. */
    static EventBatch randomEvents(Random rnd, SensorGeometry g, int n, int meanGapUs) {
        EventBatch b = new EventBatch(n);
        long t = 1_000_000L + rnd.nextInt(10_000);
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(meanGapUs);
            int x = rnd.nextInt(g.width());
            int y = rnd.nextInt(g.height());
            if (rnd.nextInt(100) == 0) {
                x = g.width() + rnd.nextInt(3); // a few out of bounds
            }
            long jitter = rnd.nextInt(50) == 0 ? -rnd.nextInt(300) : 0;
            b.add(t + jitter, x, y, rnd.nextInt(2));
        }
        return b;
    }

    private static float sum(float[] a) {
        float s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
