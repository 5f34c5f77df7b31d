package io.spikestream.model;

import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * ND4J's OpenMP threads for the ops the calling thread runs. OpenMP keeps this count per calling
 * thread, so a forward pass can run a small op on one thread (where waking a second OpenMP thread
 * costs more than it saves: a 64→128 3×3 conv on 8 frames of 4×4 took 120 µs on one thread and
 * 215 µs on two) without changing it for any other thread. {@link MsResNet} measures both counts per
 * layer and restores the thread's own count when its forward pass ends. CPU backend only.
 */
final class OpThreads {
    private OpThreads() {}

    /** The calling thread's current count (OpenMP's {@code omp_get_max_threads}). */
    static int current() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
    }

    /** Sets the calling thread's count ({@code omp_set_num_threads}). */
    static void set(int threads) {
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
    }
}
