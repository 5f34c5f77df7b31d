package io.spikestream.model;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.Supplier;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Splits the Java-side loops (LIF, tdBN, the optimizer, im2col, layout copies) over the cores, as ND4J does for its own
 * ops: otherwise those loops would run on one core of the two while ND4J uses both. Work below
 * {@link #MIN_WORK} elements stays on the calling thread, where forking would cost more than it saves.
 *
 * <p>Compute threads are a budget of the process (one Flink TaskManager), not of a slot:
 * {@code -Dspikestream.threads=N} or the environment variable {@code SPIKESTREAM_THREADS} (default: the
 * available processors, which the JVM reads from the container's CPU limit). The Java-side loops run on one
 * pool of that many threads, shared by every model in the process, instead of the JVM-wide common
 * ForkJoinPool that Flink, Kafka clients and user code also use. ND4J's OpenMP threads are counted against
 * the same budget by {@link #pass}: forward passes of different slots run side by side only as far as their
 * ND4J threads ({@code OMP_NUM_THREADS}) fit into it.
 */
public final class Parallel {
    /** The environment variable that sets {@link #THREADS} (the system property {@code spikestream.threads} wins). */
    public static final String THREADS_ENV = "SPIKESTREAM_THREADS";
    /** Compute threads of this process. */
    public static final int THREADS = threads();
    /** Parts one loop is split into: at most 8 (more gave nothing on the loops measured), at most {@link #THREADS}. */
    public static final int PARTS = Math.max(1, Math.min(8, THREADS));
    public static final long MIN_WORK = 1 << 16;

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("spikestream-compute-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false, 0, THREADS, 1, null, 30, TimeUnit.SECONDS); // idle workers end after 30 s

    private Parallel() {}

    private static int threads() {
        String v = System.getProperty("spikestream.threads");
        if (v == null || v.isBlank()) {
            v = System.getenv(THREADS_ENV);
        }
        int n = Runtime.getRuntime().availableProcessors();
        if (v != null && !v.isBlank()) {
            try {
                n = Integer.parseInt(v.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("spikestream.threads / SPIKESTREAM_THREADS must be a whole number, was '" + v + "'");
            }
        }
        return Math.max(1, Math.min(256, n));
    }

    /** Start of part {@code part} of {@code parts} when {@code [0, n)} is split evenly. */
    public static int start(int n, int part, int parts) {
        return (int) ((long) n * part / parts);
    }

    /** How many parts {@code work} elements in {@code units} splittable units are worth. */
    public static int parts(long work, int units) {
        if (work < MIN_WORK) {
            return 1;
        }
        return Math.max(1, Math.min(width(), units));
    }

    /**
     * The most parts one loop of a forward pass is split into now: {@link #PARTS}, or the share of
     * one pass after {@link #shareBetween}.
     */
    public static int width() {
        int w = Passes.width;
        return w > 0 ? Math.min(PARTS, w) : PARTS;
    }

    /**
     * Divides the compute threads between {@code passes} forward passes that run side by side (the
     * slots of one TaskManager that run a model): each pass then uses {@code THREADS / passes}
     * threads (at least one) for its Java loops and its ND4J ops, and as many passes as that allows
     * run at once. A streaming job wants this: a pass split over every core stops at each layer
     * until its slowest part is done, and with framing, Kafka and the other slot's pass on the
     * same cores, one part descheduled for a time slice stalls the whole layer (forward passes of
     * 4.7 ms alone took 17–90 ms in the job; docs/BENCHMARKS.md). Without a call one pass uses
     * every thread and passes run one at a time. Calls with the same value are idempotent.
     */
    public static synchronized void shareBetween(int passes) {
        int w = Math.max(1, THREADS / Math.max(1, passes));
        if (w == Passes.width) {
            return;
        }
        Nd4j.getEnvironment().setMaxThreads(w);
        Nd4j.getEnvironment().setMaxMasterThreads(w);
        Passes.width = w;
        Passes.gate = new Semaphore(Math.max(1, THREADS / w), true);
    }

    /**
     * Runs {@code body(0 … parts-1)}: part 0 on the calling thread, the others on the process's compute
     * pool, when {@code parts > 1}.
     */
    public static void run(int parts, IntConsumer body) {
        if (parts == 1) {
            body.accept(0);
            return;
        }
        ForkJoinTask<?>[] others = new ForkJoinTask<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int part = p;
            others[p - 1] = POOL.submit(() -> body.accept(part));
        }
        RuntimeException failure = null;
        try {
            body.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (ForkJoinTask<?> t : others) {
            try {
                t.join(); // every part ends before this returns, even when one failed
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Threads one forward pass uses: ND4J's op threads ({@code OMP_NUM_THREADS}, else the cores), within the budget. */
    public static int threadsPerPass() {
        int w = Passes.width;
        return w > 0 ? w : Passes.PER_PASS;
    }

    /** Forward passes that may run at once in this process: {@code THREADS / threadsPerPass()}, at least 1. */
    public static int concurrentPasses() {
        return Math.max(1, THREADS / threadsPerPass());
    }

    /**
     * Runs one forward pass within the process's thread budget: with several slots in one TaskManager,
     * a pass waits while the passes already running use up the budget, rather than adding its ND4J
     * threads on top (which oversubscribes the cores and slows every pass down).
     */
    public static <T> T pass(Supplier<T> body) {
        Semaphore gate = Passes.gate;
        gate.acquireUninterruptibly();
        try {
            int w = Passes.width;
            if (w > 0 && Passes.OMP_APPLIED.get() != w) {
                // OpenMP keeps the thread count per calling thread: set it on the thread that runs the pass
                NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(w);
                Passes.OMP_APPLIED.set(w);
            }
            return body.get();
        } finally {
            gate.release();
        }
    }

    /** Lazily initialised: reading ND4J's thread count loads the backend, which training code on its own may not need yet. */
    private static final class Passes {
        static final int PER_PASS = Math.max(1, Math.min(THREADS, Nd4j.getEnvironment().maxThreads()));
        static final ThreadLocal<Integer> OMP_APPLIED = ThreadLocal.withInitial(() -> 0);
        /** Threads of one pass after {@link #shareBetween}, 0 before. */
        static volatile int width;
        static volatile Semaphore gate = new Semaphore(Math.max(1, THREADS / PER_PASS), true);
    }
}
