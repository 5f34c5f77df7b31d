package io.spikestream.pipeline.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.event.SensorGeometry;
import io.spikestream.connectors.kafka.EventPacketHeader;
import io.spikestream.connectors.kafka.EventPacketWire;
import org.junit.jupiter.api.Test;

/**
 * The real-time benchmark sends one second of generated events round and round: every sensor's
 * stream must still be one continuous stream at the asked rate, in time order, packet after packet.
 */
class PacedPacketsTest {

    @Test
    void aRunLongerThanTheCycleIsOneContinuousStreamInTimeOrderAtTheRate() {
        SensorGeometry g = new SensorGeometry(128, 128);
        double rate = 100_000;
        double seconds = 2.5;          // two and a half cycles of one second
        long packetUs = 10_000;        // 1,000 events per packet, 100 packets per cycle
        PipelineBench.PacedPackets paced = new PipelineBench.PacedPackets(g, 2, rate, seconds, packetUs);
        assertEquals(250, paced.packets);

        EventBatch events = new EventBatch();
        EventBatch firstCycle0 = null;
        for (int s = 0; s < 2; s++) {
            long last = Long.MIN_VALUE;
            long first = 0;
            for (int k = 0; k < paced.packets; k++) {
                EventPacketHeader h = EventPacketWire.decode(paced.packet(k, s), events);
                assertEquals("sensor-" + s, h.sensorId());
                assertEquals(k, h.sequence());
                assertEquals(1_000, events.size(), "events in packet " + k);
                for (int i = 0; i < events.size(); i++) {
                    assertTrue(events.t(i) >= last, "sensor " + s + " packet " + k + " event " + i + " goes back in time");
                    last = events.t(i);
                }
                if (k == 0) {
                    first = events.t(0);
                    if (s == 0) {
                        firstCycle0 = events.copy();
                    }
                }
                if (k == 100 && s == 0) {
                    // the second time round: the same pixels, one cycle's span later
                    long shift = events.t(0) - firstCycle0.t(0);
                    assertTrue(shift > 990_000 && shift < 1_010_000, "shift " + shift);
                    for (int i = 0; i < events.size(); i++) {
                        assertEquals(firstCycle0.x(i), events.x(i));
                        assertEquals(firstCycle0.y(i), events.y(i));
                        assertEquals(firstCycle0.t(i) + shift, events.t(i));
                    }
                }
            }
            // 250,000 events at 100,000/s span 2.5 s of sensor time (exponential gaps: within 1 %)
            double spanS = (last - first) / 1e6;
            assertEquals(seconds, spanS, 0.025, "sensor " + s + " stream span");
        }
    }
}
