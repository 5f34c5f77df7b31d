package io.spikestream.model;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runs one LIF layer over the K timesteps of a window for N samples:
 * {@code u[t] = decay * u[t-1] * (1 - s[t-1]) + I[t]}, {@code s[t] = u[t] > v_th} (strict).
 * The state {@code (u, s)} of each sample is read and updated in place.
 */
interface LifKernel {
    /**
     * @param input layer input {@code [K·N, C, H, W]}, time-major (row {@code k·N + n})
     * @param u per sample its membrane potential {@code [1, C, H, W]}, updated in place
     * @param s per sample its last spikes {@code [1, C, H, W]} (0 or 1), updated in place
     * @param spikes receives the spikes {@code [K·N, C, H, W]}
     * @param counts receives the number of spikes of row {@code k·N + n}
     */
    void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts);

    /**
     * As {@link #run(INDArray, int, int, INDArray[], INDArray[], INDArray, long[])}, split into at most
     * {@code parts} parallel parts where the kernel splits at all (0: its own choice).
     */
    default void run(INDArray input, int steps, int batch, INDArray[] u, INDArray[] s, INDArray spikes, long[] counts, int parts) {
        run(input, steps, batch, u, s, spikes, counts);
    }

    /**
     * The kernel for the current ND4J backend: a tight loop over the host memory on the CPU
     * backend, ND4J element-wise ops elsewhere (CUDA), so states never leave the device.
     * {@code -Dspikestream.lif=nd4j|host} forces one.
     */
    static LifKernel forBackend(double vTh, double decay) {
        String forced = System.getProperty("spikestream.lif", "");
        if (forced.equals("nd4j") || (!forced.equals("host") && !hostMemory())) {
            return new Nd4jLifKernel(vTh, decay);
        }
        return new HostLifKernel(vTh, decay);
    }

    /** Whether ND4J arrays live in host memory that Java may read directly (the CPU backend). */
    static boolean hostMemory() {
        return Nd4j.getBackend().getClass().getName().contains(".cpu.");
    }
}
