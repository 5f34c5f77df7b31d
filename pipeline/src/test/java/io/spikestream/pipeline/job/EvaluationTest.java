package io.spikestream.pipeline.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationTest {

    static ClassificationResult window(long start, long end, float... p) {
        ClassificationResult c = new ClassificationResult();
        c.windowStartUs = start;
        c.windowEndUs = end;
        c.probabilities = p;
        return c;
    }

    @Test
    void theDecisionIsTheHighestMeanProbabilityOverTheWindowsInsideTheSample() {
        Evaluation e = new Evaluation(List.of("a", "b", "c"));
        List<ClassificationResult> ws = new ArrayList<>();
        ws.add(window(0, 100, 0.1f, 0.8f, 0.1f));    // outside the sample
        ws.add(window(100, 200, 0.6f, 0.3f, 0.1f));
        ws.add(window(200, 300, 0.2f, 0.5f, 0.3f));
        ws.add(window(300, 400, 0.6f, 0.1f, 0.3f));
        // inside: mean a = 0.467, b = 0.3, c = 0.233 although b wins one window
        assertEquals(0, e.add(new Evaluation.Sample("s", 0, 100, 400), ws));
        assertEquals(1, e.correct());
        assertEquals(1.0, e.accuracy());
    }

    @Test
    void aSampleShorterThanAWindowUsesTheWindowsOverlappingIt() {
        Evaluation e = new Evaluation(List.of("a", "b"));
        List<ClassificationResult> ws = List.of(window(0, 100, 0.2f, 0.8f), window(100, 200, 0.9f, 0.1f));
        assertEquals(1, e.add(new Evaluation.Sample("s", 0, 10, 60), ws));
        assertEquals(0, e.correct());
        assertArrayEquals(new long[] {0, 1}, e.confusion()[0]);
    }

    @Test
    void aSampleNoWindowCoversCountsAsUnclassified() {
        Evaluation e = new Evaluation(List.of("a", "b"));
        assertEquals(-1, e.add(new Evaluation.Sample("s", 1, 1000, 2000), List.of(window(0, 100, 0.5f, 0.5f))));
        assertEquals(1, e.unclassified());
        assertEquals(0.0, e.accuracy());
    }

    @Test
    void smoothingKeepsTheLastMVectorsAndAveragesThem() {
        float[] h = null;
        h = Probabilities.remember(h, new float[] {1, 0}, 2);
        h = Probabilities.remember(h, new float[] {0, 1}, 2);
        h = Probabilities.remember(h, new float[] {0, 1}, 2);
        assertArrayEquals(new float[] {0, 1}, Probabilities.mean(h, 2));
        h = Probabilities.remember(h, new float[] {1, 0}, 2);
        assertArrayEquals(new float[] {0.5f, 0.5f}, Probabilities.mean(h, 2));
    }

    @Test
    void softmaxIsStableForLargeLogits() {
        float[] p = Probabilities.softmax(new float[] {1000f, 1000f, -1000f});
        assertArrayEquals(new float[] {0.5f, 0.5f, 0f}, p, 1e-6f);
    }
}
