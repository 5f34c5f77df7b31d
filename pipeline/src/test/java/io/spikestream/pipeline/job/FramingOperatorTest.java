package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.pipeline.framing.Framer;
import io.spikestream.pipeline.framing.FramingSpec;
import io.spikestream.pipeline.framing.Window;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.StateBackend;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The framing operator in Flink's keyed operator harness: state written at checkpoints restores
 * exactly (format 1), and the sensor state TTL bounds memory and checkpoints when sensor ids
 * come and go, on the heap and on the RocksDB backend.
 */
class FramingOperatorTest {
    static final SensorGeometry G = new SensorGeometry(34, 26);
    static final FramingSpec SPEC = new FramingSpec(2_000, 4, 4, 8, 8, G, 0, FramingSpec.Fit.LETTERBOX, false, false, 0);

    static KeyedOneInputStreamOperatorTestHarness<String, SensorEvents, FramedWindow> harness(JobConfig config,
                                                                                               StateBackend backend)
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new FramingOperator(config), (SensorEvents e) -> e.sensorId, Types.STRING);
        h.setStateBackend(backend);
        return h;
    }

    static SensorEvents packet(String sensor, EventBatch events, int from, int to, long seq) {
        return SensorEvents.of(sensor, G.width(), G.height(), seq, events, from, to);
    }

    static List<Window> windows(KeyedOneInputStreamOperatorTestHarness<String, SensorEvents, FramedWindow> h) {
        List<Window> out = new ArrayList<>();
        h.extractOutputValues().forEach(w -> out.add(w.window()));
        h.getOutput().clear();
        return out;
    }

    @Test
    void aCheckpointTakenMidStreamRestoresFramingExactlyOnBothBackends() throws Exception {
        for (StateBackend backend : List.<StateBackend>of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend())) {
            JobConfig config = JobConfig.defaults(SPEC, null).withOutOfOrderness(10_000).withQuietFlush(60_000);
            EventBatch a = TestPackets.events(1, G, 8_000, 20, 1_000_000);
            EventBatch b = TestPackets.events(2, G, 8_000, 20, 1_003_000);
            List<Window> got = new ArrayList<>();
            OperatorSubtaskState snapshot;
            try (var h = harness(config, backend)) {
                h.open();
                for (int i = 0; i < 4_000; i += 500) {
                    h.processElement(packet("a", a, i, i + 500, i / 500), 0);
                    h.processElement(packet("b", b, i, i + 500, i / 500), 0);
                }
                got.addAll(windows(h));
                snapshot = h.snapshot(1, 1);
                // what happens after the checkpoint is lost with the failed task
                h.processElement(packet("a", a, 4_000, 4_500, 8), 0);
            }
            try (var h = harness(config, backend)) {
                h.initializeState(snapshot);
                h.open();
                for (int i = 4_000; i < 8_000; i += 500) {
                    h.processElement(packet("a", a, i, i + 500, i / 500), 0);
                    h.processElement(packet("b", b, i, i + 500, i / 500), 0);
                }
                h.processWatermark(Long.MAX_VALUE); // the end of input closes the rest
                got.addAll(windows(h));
            }
            for (String sensor : List.of("a", "b")) {
                List<Window> offline = Framer.frames(sensor.equals("a") ? a : b, SPEC, G, sensor);
                List<Window> streamed = got.stream().filter(w -> w.sensorId().equals(sensor)).toList();
                assertEquals(offline.size(), streamed.size(), backend + " " + sensor);
                for (int i = 0; i < offline.size(); i++) {
                    assertTrue(offline.get(i).sameAs(streamed.get(i)), backend + " " + sensor + " window " + i);
                }
            }
        }
    }

    /**
     * 10,000 sensor ids, each sending one short burst and going silent, 100 new ids per 100 ms of
     * (harness) wall clock, with a 1 s TTL: about 1,000 are alive at any time. The checkpoint
     * after all 10,000 is no larger than the one after the first 2,000, and far below what
     * 10,000 sensors' state would take.
     */
    @Test
    void sensorIdsThatComeAndGoLeaveBoundedStateAndCheckpoints() throws Exception {
        for (StateBackend backend : List.<StateBackend>of(new HashMapStateBackend(), new EmbeddedRocksDBStateBackend(false))) {
            JobConfig config = JobConfig.defaults(SPEC, null).withOutOfOrderness(10_000).withQuietFlush(500)
                    .withSensorStateTtl(1_000);
            FramingOperator op = new FramingOperator(config);
            try (var h = new KeyedOneInputStreamOperatorTestHarness<>(op, (SensorEvents e) -> e.sensorId, Types.STRING)) {
                h.setStateBackend(backend);
                h.open();
                long now = 0;
                h.setProcessingTime(now);
                long baseline = h.snapshot(0, now).getStateSize(); // no sensor yet: the backend's own overhead
                long sizeAt2000 = 0;
                long sizeAt10000 = 0;
                int liveAt2000 = 0;
                for (int i = 0; i < 10_000; i++) {
                    EventBatch e = TestPackets.events(i, G, 200, 20, 1_000_000L + 100L * i);
                    h.processElement(packet("cam-" + i, e, 0, e.size(), 0), 0);
                    if (i % 100 == 99) {
                        now += 100;
                        h.setProcessingTime(now);
                        h.getOutput().clear();
                    }
                    if (i == 1_999 || i == 9_999) {
                        long size = h.snapshot(i, now).getStateSize();
                        if (i == 1_999) {
                            sizeAt2000 = size;
                            liveAt2000 = op.sensorsInMemory();
                        } else {
                            sizeAt10000 = size;
                        }
                    }
                }
                assertTrue(op.sensorsInMemory() <= 1_200, backend + ": sensors in memory " + op.sensorsInMemory());
                assertTrue(liveAt2000 <= 1_200, backend + ": sensors in memory after 2,000 ids " + liveAt2000);
                // RocksDB's full snapshot copies its SST files, where expired sensors stay as tombstones until a
                // compaction (which runs when RocksDB decides) drops them: its size stays bounded but moves more
                double growth = backend instanceof HashMapStateBackend ? 1.5 : 3.0;
                assertTrue(sizeAt10000 <= sizeAt2000 * growth, backend + ": checkpoint after 10,000 ids " + sizeAt10000
                        + " B, after 2,000 ids " + sizeAt2000 + " B");
                double perSensor = (double) sizeAt2000 / liveAt2000;
                assertTrue(sizeAt10000 < 0.3 * perSensor * 10_000, backend + ": " + sizeAt10000 + " B is not far below "
                        + (long) (perSensor * 10_000) + " B for 10,000 sensors");

                // every sensor silent for the TTL is gone from memory; so is its keyed state at the next checkpoint
                now += 2_000;
                h.setProcessingTime(now);
                assertEquals(0, op.sensorsInMemory(), backend.toString());
                try (var keys = op.getKeyedStateBackend().getKeys(FramingOperator.STATE,
                        org.apache.flink.runtime.state.VoidNamespace.INSTANCE)) {
                    assertEquals(0, keys.count(), backend + ": sensors left in keyed state");
                }
                long empty = h.snapshot(10_001, now).getStateSize();
                if (backend instanceof HashMapStateBackend) {
                    assertTrue(empty <= baseline + 1_024, backend + ": " + empty + " B left after every sensor expired, "
                            + baseline + " B with no sensor at all");
                }
                // (RocksDB's snapshot is made of its SST files: deleted entries are tombstones there until a
                // compaction drops them, so its size falls later; the bound above is what the churn shows)
            }
        }
    }
}
