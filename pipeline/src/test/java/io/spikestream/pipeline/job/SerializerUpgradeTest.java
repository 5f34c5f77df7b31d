package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketWire;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Predicate;
import org.apache.flink.FlinkVersion;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerConditions;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerUpgradeTestBase;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.assertj.core.api.Condition;

/**
 * The bytes of the job's own serializers as a savepoint or checkpoint holds them, read back by
 * today's code through Flink's {@link TypeSerializerUpgradeTestBase}: the serializer snapshot of
 * each must restore a serializer that reads the stored data, resolve as compatible as is with
 * today's serializer, and the values read must be the ones written.
 *
 * <ul>
 *   <li>{@link FramerSerializer}: keyed state "framer" of savepoints of state format 0, read on
 *       restore ({@link FramingOperator}); the restored framer must hold the same open bins and
 *       denoise memory and go on to produce the same windows as one that never stopped.
 *   <li>{@link SensorEventsSerializer}: the records of the keyBy shuffle (columns, Kafka wire
 *       form, a dead letter). Not in keyed state; checkpoints hold them as in-flight data when
 *       unaligned checkpoints are on (the job does not enable them, a cluster's configuration may),
 *       and the serializer snapshot is part of every savepoint's metadata.
 *   <li>{@link FramedWindowSerializer}: the framing operator's output records; the same as above.
 * </ul>
 *
 * <p>The stored files lie in {@code src/test/resources/serializer-upgrade/NAME-VERSION/} (a
 * {@code serializer-snapshot} and a {@code test-data}). They are written by the base class's
 * generator, {@code generateTestSetupFiles}, through Flink's {@code
 * MigrationTestsSnapshotGenerator} (see {@code src/test/resources/serializer-upgrade/README.md}).
 * When the project moves to a newer Flink, generate the files for that version and add it to
 * {@link #VERSIONS}; keep the older ones, they are what old savepoints hold.
 */
public class SerializerUpgradeTest extends TypeSerializerUpgradeTestBase<Object, Object> {
    /** The Flink versions whose files are committed. */
    public static final List<FlinkVersion> VERSIONS = List.of(FlinkVersion.v2_2);

    public static final SensorGeometry G = new SensorGeometry(34, 26);
    public static final FramingSpec DENOISE =
            new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, true, 5_000);

    @Override
    public Collection<FlinkVersion> getMigrationVersions() {
        return VERSIONS;
    }

    @Override
    public Collection<TestSpecification<?, ?>> createTestSpecifications(FlinkVersion version) throws Exception {
        List<TestSpecification<?, ?>> specs = new ArrayList<>();
        specs.add(new TestSpecification<>("serializer-upgrade/framer", version, FramerSetup.class, FramerVerifier.class));
        specs.add(new TestSpecification<>("serializer-upgrade/sensor-events-columns", version,
                EventColumnsSetup.class, EventColumnsVerifier.class));
        specs.add(new TestSpecification<>("serializer-upgrade/sensor-events-wire", version,
                EventWireSetup.class, EventWireVerifier.class));
        specs.add(new TestSpecification<>("serializer-upgrade/sensor-events-dead-letter", version,
                DeadLetterSetup.class, DeadLetterVerifier.class));
        specs.add(new TestSpecification<>("serializer-upgrade/framed-window", version,
                FramedWindowSetup.class, FramedWindowVerifier.class));
        return specs;
    }

    // ---- the values written and expected: deterministic, the same at generation and in the test ------

    /** End of the first packet's events (they start at 1 s with gaps below 20 µs). */
    public static final long FIRST_PACKET_END_US = 1_040_000;

    /**
     * A sensor's framer in the middle of its stream: windows emitted up to the middle of the
     * packet, the bins after it open, and the denoise filter's memory of each pixel's last event.
     */
    public static Framer framerMidStream() {
        Framer f = new Framer(DENOISE, "cam-framer", G);
        EventBatch e = events(8, G, 2_000, 20, 1_000_000);
        f.accept(e);
        f.advanceTo(e.t(e.size() / 2));
        return f;
    }

    /** Events that follow {@link #framerMidStream}'s. */
    public static EventBatch continuation() {
        return events(11, G, 1_500, 20, FIRST_PACKET_END_US);
    }

    /** The windows {@code f} emits from {@link #continuation} to the end (on a copy; {@code f} is unchanged). */
    public static List<Window> windowsAfter(Framer f) {
        Framer probe = FramerSerializer.INSTANCE.copy(f);
        probe.accept(continuation());
        return probe.advanceTo(Long.MAX_VALUE);
    }

    public static SensorEvents columns() {
        EventBatch e = events(3, G, 500, 20, 1_000_000);
        SensorEvents s = SensorEvents.of("cam-columns", G.width(), G.height(), 3, e, 0, e.size());
        s.source = "recordings";
        s.partition = -1;
        s.offset = 30;
        return s;
    }

    public static SensorEvents wire() {
        EventBatch e = events(9, G, 700, 20, 1_000_000);
        byte[] bytes = EventPacketWire.encode("cam-wire", G, 9, e, 0, e.size());
        return new PacketDeserializer().decode("events", 1, 99, bytes);
    }

    public static SensorEvents deadLetter() {
        return SensorEvents.bad("events", 0, 7, "not a valid EventPacket: truncated", new byte[] {1, 2, 3});
    }

    public static FramedWindow framedWindow() {
        EventBatch e = events(5, G, 4_000, 20, 1_000_000);
        return FramedWindow.of(Framer.frames(e, DENOISE, G, "cam-window").get(1), 1_234);
    }

    /** {@code n} events from 1 s on, gaps below {@code maxGapUs} (as {@link TestPackets#events}, here public). */
    public static EventBatch events(long seed, SensorGeometry g, int n, int maxGapUs, long startUs) {
        Random rnd = new Random(seed);
        EventBatch b = new EventBatch(n);
        long t = startUs;
        for (int i = 0; i < n; i++) {
            t += rnd.nextInt(maxGapUs);
            b.add(t, rnd.nextInt(g.width()), rnd.nextInt(g.height()), rnd.nextInt(2));
        }
        return b;
    }

    /** What {@link FramerSerializer} writes of {@code f}. */
    public static byte[] stateOf(Framer f) {
        try {
            DataOutputSerializer out = new DataOutputSerializer(4_096);
            FramerSerializer.INSTANCE.serialize(f, out);
            return out.getCopyOfBuffer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Equal public fields (arrays by content): the job's values have no equals of their own. */
    public static boolean sameFields(Object a, Object b) {
        if (a == null || b == null || a.getClass() != b.getClass()) {
            return false;
        }
        try {
            for (Field f : a.getClass().getFields()) {
                if (!Objects.deepEquals(f.get(a), f.get(b))) {
                    return false;
                }
            }
            return true;
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    public static <T> Condition<T> condition(String description, Predicate<T> test) {
        return new Condition<>(test, description);
    }

    // ---- setups (run by the generator with the serializer of the time) and verifiers (run by the test) ----

    /**
     * As the base class asks: public, static, with a no-argument constructor. The base class loads
     * each of them renamed in a class loader of its own ({@code ClassRelocator}), so what they use
     * of this test must be public.
     */
    public static final class FramerSetup implements PreUpgradeSetup<Framer> {
        @Override
        public TypeSerializer<Framer> createPriorSerializer() {
            return FramerSerializer.INSTANCE;
        }

        @Override
        public Framer createTestData() {
            return framerMidStream();
        }
    }

    public static final class FramerVerifier implements UpgradeVerifier<Framer> {
        @Override
        public TypeSerializer<Framer> createUpgradedSerializer() {
            return FramerSerializer.INSTANCE;
        }

        @Override
        public Condition<Framer> testDataCondition() {
            Framer expected = framerMidStream();
            List<Window> expectedWindows = windowsAfter(expected);
            if (!expected.hasPending() || expectedWindows.size() < 3) {
                throw new IllegalStateException("the framer under test should have open bins and windows to come");
            }
            return condition("the framer of sensor cam-framer with its open bins and denoise memory, producing "
                    + expectedWindows.size() + " windows from the next packet", f -> {
                        if (f == null || !f.sensorId().equals("cam-framer") || !f.hasPending()
                                || !f.spec().equals(DENOISE) || !f.geometry().equals(G)
                                || f.nextCloseUs() != expected.nextCloseUs()
                                || !Arrays.equals(stateOf(f), stateOf(expected))) {
                            return false;
                        }
                        List<Window> windows = windowsAfter(f);
                        if (windows.size() != expectedWindows.size()) {
                            return false;
                        }
                        for (int i = 0; i < windows.size(); i++) {
                            if (!windows.get(i).sameAs(expectedWindows.get(i))) {
                                return false;
                            }
                        }
                        return true;
                    });
        }

        @Override
        public Condition<TypeSerializerSchemaCompatibility<Framer>> schemaCompatibilityCondition(FlinkVersion version) {
            return TypeSerializerConditions.isCompatibleAsIs();
        }
    }

    public static final class EventColumnsSetup implements PreUpgradeSetup<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createPriorSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public SensorEvents createTestData() {
            return columns();
        }
    }

    public static final class EventColumnsVerifier implements UpgradeVerifier<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createUpgradedSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public Condition<SensorEvents> testDataCondition() {
            SensorEvents expected = columns();
            return condition("500 events of cam-columns as columns, all fields equal",
                    e -> sameFields(e, expected) && e.size() == 500 && e.wire == null && e.sensorId.equals("cam-columns"));
        }

        @Override
        public Condition<TypeSerializerSchemaCompatibility<SensorEvents>> schemaCompatibilityCondition(FlinkVersion version) {
            return TypeSerializerConditions.isCompatibleAsIs();
        }
    }

    public static final class EventWireSetup implements PreUpgradeSetup<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createPriorSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public SensorEvents createTestData() {
            return wire();
        }
    }

    public static final class EventWireVerifier implements UpgradeVerifier<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createUpgradedSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public Condition<SensorEvents> testDataCondition() {
            SensorEvents expected = wire();
            EventBatch events = events(9, G, 700, 20, 1_000_000);
            return condition("700 events of cam-wire in Kafka wire form, all fields equal, decoding to the events sent", e -> {
                if (!sameFields(e, expected) || e.wire == null || e.t != null || e.size() != 700) {
                    return false;
                }
                EventBatch decoded = e.columns(new EventBatch(700));
                return decoded.size() == 700
                        && Arrays.equals(decoded.ts(), 0, 700, events.ts(), 0, 700)
                        && Arrays.equals(decoded.xs(), 0, 700, events.xs(), 0, 700)
                        && Arrays.equals(decoded.ys(), 0, 700, events.ys(), 0, 700)
                        && Arrays.equals(decoded.ps(), 0, 700, events.ps(), 0, 700);
            });
        }

        @Override
        public Condition<TypeSerializerSchemaCompatibility<SensorEvents>> schemaCompatibilityCondition(FlinkVersion version) {
            return TypeSerializerConditions.isCompatibleAsIs();
        }
    }

    public static final class DeadLetterSetup implements PreUpgradeSetup<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createPriorSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public SensorEvents createTestData() {
            return deadLetter();
        }
    }

    public static final class DeadLetterVerifier implements UpgradeVerifier<SensorEvents> {
        @Override
        public TypeSerializer<SensorEvents> createUpgradedSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        public Condition<SensorEvents> testDataCondition() {
            SensorEvents expected = deadLetter();
            return condition("an undecodable record with its problem and raw bytes", e -> sameFields(e, expected)
                    && "not a valid EventPacket: truncated".equals(e.problem) && Arrays.equals(e.raw, new byte[] {1, 2, 3}));
        }

        @Override
        public Condition<TypeSerializerSchemaCompatibility<SensorEvents>> schemaCompatibilityCondition(FlinkVersion version) {
            return TypeSerializerConditions.isCompatibleAsIs();
        }
    }

    public static final class FramedWindowSetup implements PreUpgradeSetup<FramedWindow> {
        @Override
        public TypeSerializer<FramedWindow> createPriorSerializer() {
            return new FramedWindowSerializer();
        }

        @Override
        public FramedWindow createTestData() {
            return framedWindow();
        }
    }

    public static final class FramedWindowVerifier implements UpgradeVerifier<FramedWindow> {
        @Override
        public TypeSerializer<FramedWindow> createUpgradedSerializer() {
            return new FramedWindowSerializer();
        }

        @Override
        public Condition<FramedWindow> testDataCondition() {
            FramedWindow expected = framedWindow();
            return condition("window #" + expected.index + " of cam-window, frames and counts bit-identical",
                    w -> sameFields(w, expected) && w.closedAtMs == 1_234 && w.events() > 0
                            && w.window().sameAs(expected.window()));
        }

        @Override
        public Condition<TypeSerializerSchemaCompatibility<FramedWindow>> schemaCompatibilityCondition(FlinkVersion version) {
            return TypeSerializerConditions.isCompatibleAsIs();
        }
    }
}
