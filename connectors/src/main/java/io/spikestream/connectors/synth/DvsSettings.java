package io.spikestream.connectors.synth;

/**
 * The simulated DVS128 camera: contrast thresholds with their pixel-to-pixel mismatch, the
 * refractory period, and hot pixels. One camera records every user and lighting (its mismatch and
 * hot pixels are drawn from the dataset seed alone), as in the real dataset.
 *
 * @param onThreshold mean log-intensity increase that fires an ON event
 * @param offThreshold mean log-intensity decrease that fires an OFF event
 * @param thresholdSigma standard deviation of each pixel's thresholds around the means
 * @param refractoryUs dead time of a pixel after each event, in µs
 * @param hotPixels number of pixels that fire on their own at a high rate
 * @param hotPixelHz mean event rate of a hot pixel
 */
public record DvsSettings(
        double onThreshold, double offThreshold, double thresholdSigma, long refractoryUs, int hotPixels, double hotPixelHz) {

    /**
     * The DVS128 as characterised by Lichtsteiner, Posch and Delbruck (IEEE JSSC 2008): 14.3 %
     * contrast threshold ({@code ln 1.143 ≈ 0.134}) with 2.1 % mismatch; a 300 µs refractory period
     * and five hot pixels at 150 Hz.
     */
    public static final DvsSettings DVS128 = new DvsSettings(0.134, 0.134, 0.021, 300, 5, 150);

    /** The smallest threshold any pixel gets, so mismatch never makes a pixel fire on float noise. */
    static final double MIN_THRESHOLD = 0.05;

    public DvsSettings {
        if (!(onThreshold >= MIN_THRESHOLD) || !(offThreshold >= MIN_THRESHOLD) || !(thresholdSigma >= 0)
                || refractoryUs < 1 || hotPixels < 0 || hotPixels > 1000 || !(hotPixelHz >= 0) || hotPixelHz * refractoryUs > 5e5) {
            throw new IllegalArgumentException("impossible DVS settings " + this);
        }
    }
}
