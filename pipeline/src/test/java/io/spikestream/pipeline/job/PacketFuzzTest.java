package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile records at volume: {@value #RECORDS} seeded mutations of valid EventPackets (bit flips,
 * truncation, huge counts, negative sizes, trailing bytes, and untouched controls) through
 * {@link PacketDeserializer} and then through the job's own path (triage and framing, built by
 * {@link SpikestreamJob#build}). Nothing throws, decoding allocates in proportion to the record and
 * not to what the record claims, and every record that is not a packet becomes exactly one dead
 * letter.
 *
 * <p>The valid packets are written here with a small Avro encoder of the schema's field order
 * (not with the code under test), so a mutation's kind says by construction whether the result can
 * still be a packet: controls must decode; truncated, negative-size, huge-count and trailing-byte
 * records cannot; a bit flip may land anywhere, so either outcome is allowed, but exactly one.
 */
class PacketFuzzTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final int RECORDS = 100_000;
    static final long SEED = 20_261_204L;
    static final String TOPIC = "fuzz";
    static final List<SensorGeometry> GEOMETRIES = List.of(new SensorGeometry(34, 26), new SensorGeometry(128, 128),
            new SensorGeometry(346, 260));
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, GEOMETRIES.get(0), 0, FramingSpec.Fit.LETTERBOX,
            false, false, 0);

    /** What was done to record i (i mod the number of kinds). */
    enum Kind { CONTROL, BIT_FLIPS, TRUNCATED, HUGE_COUNT, NEGATIVE_SIZE, TRAILING_BYTES;

        boolean mustFail() {
            return this != CONTROL && this != BIT_FLIPS;
        }
    }

    static Kind kind(long i) {
        return Kind.values()[(int) (i % Kind.values().length)];
    }

    /** Record i: deterministic from the seed and i, so the Flink source and the direct loop see the same bytes. */
    static byte[] record(long i) {
        Random r = new Random(SEED * 1_000_003L + i);
        String sensor = "cam-" + r.nextInt(8);
        SensorGeometry g = GEOMETRIES.get(r.nextInt(GEOMETRIES.size()));
        int n = r.nextInt(300);
        long first = 1_000_000L + i * 500 + r.nextInt(400);
        int[] x = new int[n];
        int[] y = new int[n];
        int[] dt = new int[n];
        boolean[] p = new boolean[n];
        int t = 0;
        for (int k = 0; k < n; k++) {
            x[k] = r.nextInt(g.width());
            y[k] = r.nextInt(g.height());
            p[k] = r.nextBoolean();
            dt[k] = t;
            t += r.nextInt(3);
        }
        Kind kind = kind(i);
        Packet packet = new Packet(sensor, g.width(), g.height(), i, first, n, x, y, p, dt);
        return switch (kind) {
            case CONTROL -> packet.encode();
            case BIT_FLIPS -> {
                byte[] b = packet.encode();
                int flips = 1 + r.nextInt(8);
                for (int f = 0; f < flips; f++) {
                    int bit = r.nextInt(b.length * 8);
                    b[bit >>> 3] ^= (byte) (1 << (bit & 7));
                }
                yield b;
            }
            case TRUNCATED -> {
                byte[] b = packet.encode();
                yield java.util.Arrays.copyOf(b, r.nextInt(b.length));
            }
            case HUGE_COUNT -> {
                long[] huge = {Integer.MAX_VALUE, 1L << 30, (1 << 24) + 1, n + 1L + r.nextInt(1 << 20)};
                packet.count = huge[r.nextInt(huge.length)];
                if (r.nextBoolean()) {
                    // claim columns as large as the count (more bytes than the record has)
                    packet.claimedX = 2 * packet.count;
                }
                yield packet.encode();
            }
            case NEGATIVE_SIZE -> {
                long negative = -1 - r.nextInt(Integer.MAX_VALUE);
                switch (r.nextInt(6)) {
                    case 0 -> packet.claimedId = negative;
                    case 1 -> packet.claimedX = negative;
                    case 2 -> packet.claimedDt = negative;
                    case 3 -> packet.count = negative;
                    case 4 -> packet.width = negative;
                    default -> packet.height = negative;
                }
                yield packet.encode();
            }
            case TRAILING_BYTES -> {
                byte[] b = packet.encode();
                byte[] extra = new byte[1 + r.nextInt(64)];
                r.nextBytes(extra);
                byte[] out = java.util.Arrays.copyOf(b, b.length + extra.length);
                System.arraycopy(extra, 0, out, b.length, extra.length);
                yield out;
            }
        };
    }

    @Test
    void theDeserializerNeverThrowsAndAllocatesInProportionToTheRecord() {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        PacketDeserializer d = new PacketDeserializer();
        // warm up: the deserializer's reusable batch, class loading and the JIT's first compilations are not per record
        for (int i = 0; i < 2_000; i++) {
            d.decode(TOPIC, 0, i, record(i));
        }
        Map<Kind, int[]> bad = new HashMap<>();
        long worst = 0;
        long worstAt = -1;
        for (long i = 0; i < RECORDS; i++) {
            byte[] value = record(i);
            long before = threads.getThreadAllocatedBytes(self);
            SensorEvents e = d.decode(TOPIC, 0, i, value);
            long allocated = threads.getThreadAllocatedBytes(self) - before;
            if (allocated > 4L * value.length + 16_384) {
                // the first time a path runs its classes load on this thread: count a second decode of the same record
                before = threads.getThreadAllocatedBytes(self);
                d.decode(TOPIC, 0, i, value);
                allocated = Math.min(allocated, threads.getThreadAllocatedBytes(self) - before);
            }
            // the decoded columns (t as long, x and y as short, p: 13 bytes per event, at most one event per 8 record
            // bytes) or the reason text, plus a fixed allowance; a decoder sizing anything by a claimed count fails this
            long allowed = 4L * value.length + 16_384;
            if (allocated - allowed > worst) {
                worst = allocated - allowed;
                worstAt = i;
            }
            Kind kind = kind(i);
            if (e.problem != null) {
                bad.computeIfAbsent(kind, k -> new int[1])[0]++;
                assertFalse(e.problem.startsWith("undecodable:"), "the decoder threw on record " + i + ": " + e.problem);
                assertEquals(i, e.offset);
                assertTrue(e.raw == value, "a bad record keeps its own bytes for the dead letter");
            } else {
                assertFalse(kind.mustFail(), kind + " record " + i + " decoded as a packet");
                assertEquals(i, e.offset);
            }
            if (kind == Kind.CONTROL) {
                assertNull(e.problem, "control record " + i + ": " + e.problem);
            }
        }
        long at = worstAt;
        long over = worst;
        assertTrue(at < 0, () -> "record " + at + " (" + kind(at) + ") allocated " + over + " bytes more than allowed");
        for (Kind k : Kind.values()) {
            int n = bad.getOrDefault(k, new int[1])[0];
            int of = RECORDS / Kind.values().length;
            if (k.mustFail()) {
                assertTrue(n >= of, k + ": " + n + " bad of about " + of);
            }
        }
        // bit flips must be able to go either way, or the test does not exercise both paths
        int flipped = bad.getOrDefault(Kind.BIT_FLIPS, new int[1])[0];
        assertTrue(flipped > 0 && flipped < RECORDS / Kind.values().length, "bad bit-flipped records: " + flipped);
    }

    /** A fifth of the records through the job in the default build (about 20 s on two loaded cores). */
    @Test
    void throughTheJobEveryBadRecordIsExactlyOneDeadLetter() throws Exception {
        throughTheJob(RECORDS / 5);
    }

    /** All of them: about 90 s on two loaded cores. */
    @Test
    @org.junit.jupiter.api.Tag("slow")
    void throughTheJobEveryBadRecordOfAllIsExactlyOneDeadLetter() throws Exception {
        throughTheJob(RECORDS);
    }

    private static void throughTheJob(int records) throws Exception {
        // which records are not packets, by the deserializer (checked against the kinds in the test above)
        PacketDeserializer d = new PacketDeserializer();
        Set<Long> bad = new HashSet<>();
        for (long i = 0; i < records; i++) {
            if (d.decode(TOPIC, 0, i, record(i)).problem != null) {
                bad.add(i);
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        var input = env.fromSequence(0, records - 1)
                .map(new Decode()).returns(SensorEventsSerializer.TYPE);
        JobConfig config = JobConfig.defaults(SPEC, null).withQuietFlush(600_000);
        SpikestreamJob.Streams job = SpikestreamJob.build(input, config, MsResNetWindowModel::load);
        Map<Long, Integer> undecodable = new HashMap<>();
        Set<String> perReason = new HashSet<>();
        long otherLetters = 0;
        try (CloseableIterator<DeadLetterRecord> it = job.deadLetters().executeAndCollect("packet fuzz")) {
            while (it.hasNext()) {
                DeadLetterRecord letter = it.next();
                assertNotNull(letter.reason);
                if (bad.contains(letter.offset) && letter.reason.startsWith("not a valid EventPacket")) {
                    undecodable.merge(letter.offset, 1, Integer::sum);
                    assertEquals(TOPIC, letter.source);
                    assertTrue(java.util.Arrays.equals(record(letter.offset), letter.payload),
                            "the dead letter of record " + letter.offset + " carries other bytes");
                } else {
                    // events the framer set aside from a packet that decoded: one letter per packet and reason
                    assertFalse(bad.contains(letter.offset), "record " + letter.offset + " has a dead letter of another kind: "
                            + letter.reason);
                    String kind = letter.reason.replaceAll("^\\d+ ", "").replaceAll(" event\\(s\\).*", "");
                    assertTrue(perReason.add(letter.offset + "/" + kind), "two dead letters for record " + letter.offset
                            + " and reason " + kind);
                    otherLetters++;
                }
            }
        }
        for (long i : bad) {
            Integer n = undecodable.get(i);
            if (n == null || n != 1) {
                fail("bad record " + i + " (" + kind(i) + ") gave " + (n == null ? 0 : n) + " dead letters, not one");
            }
        }
        assertEquals(bad.size(), undecodable.size());
        // the controls and bit flips carry events at wild times and places: the framer's path was exercised too
        assertTrue(otherLetters > 0, "no record reached the framer with events to set aside");
    }

    /** Record index → decoded packet, as the Kafka source's deserializer would produce at that offset. */
    static final class Decode implements org.apache.flink.api.common.functions.MapFunction<Long, SensorEvents> {
        private static final long serialVersionUID = 1L;
        private transient PacketDeserializer deserializer;

        @Override
        public SensorEvents map(Long i) {
            if (deserializer == null) {
                deserializer = new PacketDeserializer();
            }
            return deserializer.decode(TOPIC, 0, i, record(i));
        }
    }

    /**
     * An EventPacket as the schema lays it out (string, int, int, long, long, int, 4 × bytes), written
     * field by field so that any size may be claimed.
     */
    static final class Packet {
        final String sensorId;
        long width;
        long height;
        final long sequence;
        final long first;
        long count;
        final byte[] x;
        final byte[] y;
        final byte[] p;
        final byte[] dt;
        Long claimedId;
        Long claimedX;
        Long claimedDt;

        Packet(String sensorId, int width, int height, long sequence, long first, int n, int[] xs, int[] ys, boolean[] ps, int[] dts) {
            this.sensorId = sensorId;
            this.width = width;
            this.height = height;
            this.sequence = sequence;
            this.first = first;
            this.count = n;
            x = new byte[2 * n];
            y = new byte[2 * n];
            p = new byte[(n + 7) / 8];
            dt = new byte[4 * n];
            for (int k = 0; k < n; k++) {
                x[2 * k] = (byte) xs[k];
                x[2 * k + 1] = (byte) (xs[k] >>> 8);
                y[2 * k] = (byte) ys[k];
                y[2 * k + 1] = (byte) (ys[k] >>> 8);
                if (ps[k]) {
                    p[k / 8] |= (byte) (1 << (k % 8));
                }
                for (int b = 0; b < 4; b++) {
                    dt[4 * k + b] = (byte) (dts[k] >>> (8 * b));
                }
            }
        }

        byte[] encode() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] id = sensorId.getBytes(StandardCharsets.UTF_8);
            bytes(out, id, claimedId);
            zigZag(out, width);
            zigZag(out, height);
            zigZag(out, sequence);
            zigZag(out, first);
            zigZag(out, count);
            bytes(out, x, claimedX);
            bytes(out, y, null);
            bytes(out, p, null);
            bytes(out, dt, claimedDt);
            return out.toByteArray();
        }

        private static void bytes(ByteArrayOutputStream out, byte[] b, Long claimed) {
            zigZag(out, claimed != null ? claimed : b.length);
            out.writeBytes(b);
        }

        private static void zigZag(ByteArrayOutputStream out, long v) {
            long z = (v << 1) ^ (v >> 63);
            while ((z & ~0x7FL) != 0) {
                out.write((int) ((z & 0x7F) | 0x80));
                z >>>= 7;
            }
            out.write((int) z);
        }
    }
}
