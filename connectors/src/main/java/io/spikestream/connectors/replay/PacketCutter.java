package io.spikestream.connectors.replay;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import java.io.IOException;

/**
 * Cuts the event stream of one recording into packets: packet windows of {@code packetUs} µs on a
 * grid starting at the recording's first event, and at most {@code maxEvents} events per packet.
 *
 * <p>An event belongs to the packet being filled while its timestamp is before the window's end, so
 * an event a few µs older than its predecessor (as some cameras emit) stays in file order instead of
 * being reordered; empty windows produce no packet. Reads the recording in bounded chunks.
 */
public final class PacketCutter {
    private static final int READ_CHUNK = 1 << 16;

    private final EventReader reader;
    private final long packetUs;
    private final int maxEvents;
    private final EventBatch chunk = new EventBatch(READ_CHUNK);
    private int cursor;
    private boolean exhausted;
    private boolean started;
    private long firstUs;
    private long windowEnd;

    public PacketCutter(EventReader reader, long packetUs, int maxEvents) {
        if (packetUs < 1 || maxEvents < 1) {
            throw new IllegalArgumentException("packet span " + packetUs + " µs and size " + maxEvents + " must be positive");
        }
        this.reader = reader;
        this.packetUs = packetUs;
        this.maxEvents = maxEvents;
    }

    /**
     * Clears {@code packet} and fills it with the next packet's events.
     *
     * @return false when the recording is exhausted (and {@code packet} is empty)
     */
    public boolean next(EventBatch packet) throws IOException {
        packet.clear();
        while (true) {
            if (cursor == chunk.size()) {
                cursor = 0;
                if (exhausted || !reader.read(chunk, READ_CHUNK)) {
                    exhausted = true;
                    chunk.clear();
                    return !packet.isEmpty();
                }
                continue;
            }
            long[] ts = chunk.ts();
            if (!started) {
                started = true;
                firstUs = ts[cursor];
                windowEnd = firstUs + packetUs;
            }
            if (packet.isEmpty() && ts[cursor] >= windowEnd) {
                // skip empty windows: open the one that holds this event
                windowEnd = firstUs + (Math.floorDiv(ts[cursor] - firstUs, packetUs) + 1) * packetUs;
            }
            int end = Math.min(chunk.size(), cursor + (maxEvents - packet.size()));
            int j = cursor;
            while (j < end && ts[j] < windowEnd) {
                j++;
            }
            packet.addAll(chunk, cursor, j);
            cursor = j;
            if (j < chunk.size() || packet.size() == maxEvents) {
                return true; // the window closed or the packet is full; the rest waits in the chunk
            }
        }
    }

    /** Timestamp of the recording's first event (valid once a packet has been returned). */
    public long firstUs() {
        return firstUs;
    }
}
