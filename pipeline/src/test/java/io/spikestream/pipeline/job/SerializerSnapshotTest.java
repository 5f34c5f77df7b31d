package io.spikestream.pipeline.job;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Arrays;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.testutils.DeeplyEqualsChecker;
import org.junit.jupiter.api.Nested;

/**
 * The job's own serializers through Flink's serializer test base: round trips one by one and as
 * sequences, copies, duplicates, and the snapshot written, read back and resolved as compatible
 * (the path a savepoint restore takes).
 */
class SerializerSnapshotTest {
    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);

    /** Public fields compared deeply (the job's values have no equals of their own). */
    static DeeplyEqualsChecker byFields(Class<?> type) {
        return new DeeplyEqualsChecker().withCustomCheck(
                (a, b) -> type.isInstance(a) && type.isInstance(b),
                (a, b, checker) -> {
                    try {
                        for (Field f : type.getFields()) {
                            if (!Arrays.deepEquals(new Object[] {f.get(a)}, new Object[] {f.get(b)})) {
                                return false;
                            }
                        }
                        return true;
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    static byte[] stateOf(Framer f) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            f.writeState(new DataOutputStream(b));
            return b.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SensorEvents packet(long seed, int n) {
        EventBatch e = TestPackets.events(seed, G, n, 20, 1_000_000);
        SensorEvents s = SensorEvents.of("cam-" + seed, G.width(), G.height(), seed, e, 0, n);
        s.source = "events";
        s.partition = (int) seed;
        s.offset = 10 * seed;
        return s;
    }

    @Nested
    class SensorEventsSerializerTest extends SerializerTestBase<SensorEvents> {
        SensorEventsSerializerTest() {
            super(byFields(SensorEvents.class));
        }

        @Override
        protected TypeSerializer<SensorEvents> createSerializer() {
            return new SensorEventsSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<SensorEvents> getTypeClass() {
            return SensorEvents.class;
        }

        @Override
        protected SensorEvents[] getTestData() {
            EventBatch e = TestPackets.events(9, G, 700, 20, 1_000_000);
            byte[] wire = io.spikestream.connectors.kafka.EventPacketWire.encode("cam-9", G, 9, e, 0, e.size());
            SensorEvents encoded = new PacketDeserializer().decode("events", 1, 99, wire);
            org.junit.jupiter.api.Assertions.assertNotNull(encoded.wire, "packets from Kafka stay in wire form");
            return new SensorEvents[] {packet(1, 0), packet(2, 1), packet(3, 5_000), encoded,
                SensorEvents.bad("events", 0, 7, "not a valid EventPacket: truncated", new byte[] {1, 2, 3})};
        }
    }

    @Nested
    class FramedWindowSerializerTest extends SerializerTestBase<FramedWindow> {
        FramedWindowSerializerTest() {
            super(byFields(FramedWindow.class));
        }

        @Override
        protected TypeSerializer<FramedWindow> createSerializer() {
            return new FramedWindowSerializer();
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<FramedWindow> getTypeClass() {
            return FramedWindow.class;
        }

        @Override
        protected FramedWindow[] getTestData() {
            EventBatch e = TestPackets.events(5, G, 4_000, 20, 1_000_000);
            return Framer.frames(e, SPEC, G, "cam-5").stream().limit(4).map(w -> FramedWindow.of(w, 1234))
                    .toArray(FramedWindow[]::new);
        }
    }

    @Nested
    class FramerSerializerTest extends SerializerTestBase<Framer> {
        FramerSerializerTest() {
            super(new DeeplyEqualsChecker().withCustomCheck((a, b) -> a instanceof Framer && b instanceof Framer,
                    (a, b, checker) -> Arrays.equals(stateOf((Framer) a), stateOf((Framer) b))));
        }

        @Override
        protected TypeSerializer<Framer> createSerializer() {
            return FramerSerializer.INSTANCE;
        }

        @Override
        protected boolean allowNullInstances(TypeSerializer<Framer> serializer) {
            return true; // a sensor's framer is created from its first packet, there is no empty one
        }

        @Override
        protected int getLength() {
            return -1;
        }

        @Override
        protected Class<Framer> getTypeClass() {
            return Framer.class;
        }

        @Override
        protected Framer[] getTestData() {
            Framer fresh = new Framer(SPEC, "fresh", G);
            Framer open = new Framer(SPEC, "open", G);
            open.accept(TestPackets.events(6, G, 3_000, 20, 1_000_000));
            Framer advanced = new Framer(SPEC, "advanced", G);
            EventBatch e = TestPackets.events(7, G, 3_000, 20, 1_000_000);
            advanced.accept(e);
            advanced.advanceTo(e.t(e.size() / 2));
            FramingSpec denoise = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, true, 5_000);
            Framer denoised = new Framer(denoise, "denoised", G);
            denoised.accept(TestPackets.events(8, G, 2_000, 20, 1_000_000));
            return new Framer[] {fresh, open, advanced, denoised};
        }
    }
}
