package io.spikestream.pipeline.framing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spikestream.connectors.event.SensorGeometry;
import org.junit.jupiter.api.Test;

class PixelMapTest {

    @Test
    void poolsBlocksOfFactorSquaredPixelsOntoOneInputPixel() {
        FramingSpec spec = FramingSpec.tumbling(1000, 1, 4, 4, new SensorGeometry(8, 8)).withDownsample(2, FramingSpec.Fit.CROP);
        PixelMap map = PixelMap.of(spec, new SensorGeometry(8, 8));
        assertEquals(map.target(6, 2), map.target(7, 3));
        assertEquals(1 * 4 + 3, map.target(7, 3));
        assertEquals(0, map.target(0, 0));
    }

    @Test
    void cropCutsTheOverhangEvenlyOnBothSides() {
        // 12x8 sensor onto 4x4 with factor 2: pooled 6x4, one column cut on each side
        FramingSpec spec = FramingSpec.tumbling(1000, 1, 4, 4, new SensorGeometry(12, 8)).withDownsample(2, FramingSpec.Fit.CROP);
        PixelMap map = PixelMap.of(spec, new SensorGeometry(12, 8));
        assertEquals(-1, map.target(0, 0));
        assertEquals(-1, map.target(1, 5));
        assertEquals(0, map.target(2, 0));
        assertEquals(3, map.target(9, 1));
        assertEquals(-1, map.target(10, 0));
    }

    @Test
    void letterboxPadsAroundTheWholeSensor() {
        // 8x4 sensor onto 4x4 with factor 2: pooled 4x2, rows 1 and 2 of the input are used
        FramingSpec spec = FramingSpec.tumbling(1000, 1, 4, 4, new SensorGeometry(8, 4)).withDownsample(2, FramingSpec.Fit.LETTERBOX);
        PixelMap map = PixelMap.of(spec, new SensorGeometry(8, 4));
        assertEquals(1 * 4 + 0, map.target(0, 0));
        assertEquals(2 * 4 + 3, map.target(7, 3));
    }

    @Test
    void autoFactorCoversForCropAndFitsForLetterbox() {
        SensorGeometry davis346 = new SensorGeometry(346, 260);
        assertEquals(8, PixelMap.autoFactor(davis346, 32, 32, FramingSpec.Fit.CROP));
        assertEquals(11, PixelMap.autoFactor(davis346, 32, 32, FramingSpec.Fit.LETTERBOX));
        assertEquals(4, PixelMap.autoFactor(new SensorGeometry(128, 128), 32, 32, FramingSpec.Fit.CROP));
        assertEquals(1, PixelMap.autoFactor(new SensorGeometry(16, 16), 32, 32, FramingSpec.Fit.CROP));
    }
}
