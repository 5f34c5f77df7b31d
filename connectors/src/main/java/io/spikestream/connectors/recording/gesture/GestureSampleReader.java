package io.spikestream.connectors.recording.gesture;

import io.spikestream.connectors.event.EventBatch;
import io.spikestream.connectors.recording.EventReader;
import io.spikestream.connectors.recording.Recordings;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Streams the labelled samples of one recording in label order: reads the AEDAT file once, in
 * batches, and gives each label the events inside its span. Only the events of labels still open
 * at the current time are held, so memory follows the longest gesture, not the recording.
 */
public final class GestureSampleReader implements Closeable {
    private static final int BATCH = 1 << 16;

    private final GestureRecording rec;
    private final EventReader reader;
    private final List<GestureLabel> labels;
    /** Labels whose span has started, each with the events collected so far, in label order. */
    private final Deque<Open> open = new ArrayDeque<>();
    private final Deque<LabelledSample> ready = new ArrayDeque<>();
    private final EventBatch batch = new EventBatch(BATCH);
    private int nextLabel;
    private boolean exhausted;

    private record Open(GestureLabel label, EventBatch events) {}

    public GestureSampleReader(GestureRecording rec, Warnings warnings) throws IOException {
        this.rec = rec;
        this.labels = new ArrayList<>(GestureLabels.read(rec.labels(), warnings));
        this.reader = Recordings.open(rec.aedat());
    }

    /** The next sample, or null when every label of the recording was returned. */
    public LabelledSample next() throws IOException {
        while (ready.isEmpty()) {
            if (exhausted) {
                // labels still open at the end of the file keep the events they got
                if (!open.isEmpty()) {
                    Open o = open.pollFirst();
                    return new LabelledSample(rec, o.label(), o.events());
                }
                if (nextLabel < labels.size()) {
                    return new LabelledSample(rec, labels.get(nextLabel++), new EventBatch(1));
                }
                return null;
            }
            if (!reader.read(batch, BATCH)) {
                exhausted = true;
                continue;
            }
            distribute();
        }
        return ready.pollFirst();
    }

    private void distribute() {
        int n = batch.size();
        for (int i = 0; i < n; i++) {
            long t = batch.t(i);
            while (nextLabel < labels.size() && labels.get(nextLabel).startUs() <= t) {
                open.addLast(new Open(labels.get(nextLabel++), new EventBatch(BATCH)));
            }
            closeEndedBefore(t);
            for (Open o : open) {
                if (o.label().contains(t)) {
                    o.events().addAll(batch, i, i + 1);
                }
            }
        }
    }

    /** Moves labels that ended at or before {@code t} to the ready queue, keeping label order. */
    private void closeEndedBefore(long t) {
        while (!open.isEmpty() && open.peekFirst().label().endUs() <= t) {
            Open o = open.pollFirst();
            ready.addLast(new LabelledSample(rec, o.label(), o.events()));
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }
}
