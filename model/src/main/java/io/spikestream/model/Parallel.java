package io.spikestream.model;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/**
 * Splits the Java-side loops (LIF, tdBN, the optimizer, im2col, layout copies) over the cores, as ND4J does for its own
 * ops: otherwise those loops would run on one core of the two while ND4J uses both. Work below
 * {@link #MIN_WORK} elements stays on the calling thread, where forking would cost more than it saves.
 * {@code -Dspikestream.threads=N} sets the number of parts (default: the available processors, at most 8).
 */
public final class Parallel {
    public static final int PARTS = Math.max(1, Math.min(8,
            Integer.getInteger("spikestream.threads", Runtime.getRuntime().availableProcessors())));
    public static final long MIN_WORK = 1 << 16;

    private Parallel() {}

    /** Start of part {@code part} of {@code parts} when {@code [0, n)} is split evenly. */
    public static int start(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    /** How many parts {@code work} elements in {@code units} splittable units are worth. */
    public static int parts(long work, int units) {
        if (work < MIN_WORK) {
            return 1;
        }
        return Math.max(1, Math.min(PARTS, units));
    }

    /** Runs {@code body(0 … parts-1)}, in parallel when {@code parts > 1}. */
    public static void run(int parts, IntConsumer body) {
        if (parts == 1) {
            body.accept(0);
        } else {
            IntStream.range(0, parts).parallel().forEach(body);
        }
    }
}
