package io.spikestream.connectors.recording;

import io.spikestream.connectors.event.SensorGeometry;
import java.io.IOException;
import java.util.Optional;

/**
 * What every reader shares: its byte window, its geometry, the count of skipped events and where
 * the recording was cut short, if it was.
 */
abstract class AbstractEventReader implements EventReader {
    protected final ChunkedInput in;
    protected SensorGeometry geometry;
    protected long skipped;
    /** Set when the input ended early; {@link #read} then returns false. */
    protected Truncation truncation;

    protected AbstractEventReader(ChunkedInput in) {
        this.in = in;
    }

    @Override
    public SensorGeometry geometry() {
        return geometry;
    }

    @Override
    public long skipped() {
        return skipped;
    }

    @Override
    public Optional<Truncation> truncation() {
        return Optional.ofNullable(truncation);
    }

    /** True once the recording was found cut short: no event follows. */
    protected boolean cut() {
        return truncation != null;
    }

    /** A file cut inside its first line, which is still a start of {@code magic}. */
    static boolean cutMagic(TextHeader h, String magic) {
        return h.partial() != null && !h.partial().isEmpty() && magic.startsWith(h.partial());
    }

    /**
     * The truncation of a file that ends inside a header line ({@code h.partial() != null}): no
     * event can follow. {@code assumed} says what the reader takes for what the header did not say.
     */
    Truncation headerCut(TextHeader h, String assumed) {
        return new Truncation(in.file, h.partialAt(), null, "truncated header: the file ends inside a header line"
                + (assumed == null ? "" : " (" + assumed + ")"));
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Events decoded per call at most, whatever the caller asks: batches are sized from this, so a
     * huge request must not allocate huge columns (the contract allows returning fewer).
     */
    static final int MAX_BATCH = 1 << 20;

    /** The effective batch limit for a caller's {@code maxEvents}. */
    static int checkMax(int maxEvents) {
        if (maxEvents <= 0) {
            throw new IllegalArgumentException("maxEvents must be positive: " + maxEvents);
        }
        return Math.min(maxEvents, MAX_BATCH);
    }
}
