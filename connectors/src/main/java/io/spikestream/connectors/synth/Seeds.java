package io.spikestream.connectors.synth;

/**
 * Derives independent random seeds from a root seed and a path of integers (user, lighting,
 * take, ...), so every part of a synthetic recording is reproducible on its own and adding a
 * user or lighting never changes the others.
 */
final class Seeds {
    private Seeds() {}

    /** A well-mixed seed for {@code root} followed by {@code path}; SplitMix64's finaliser per step. */
    static long derive(long root, long... path) {
        long h = mix(root ^ 0x5DEECE66DL);
        for (long p : path) {
            h = mix(h ^ mix(p + 0x9E3779B97F4A7C15L));
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
