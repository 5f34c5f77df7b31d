package io.spikestream.pipeline.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** One classification as one line of JSON (the {@code --out results.jsonl} format). */
public final class ClassificationJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ClassificationJson() {
    }

    public static String line(ClassificationResult c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("sensor", c.sensorId);
        n.put("window", c.windowIndex);
        n.put("start_us", c.windowStartUs);
        n.put("end_us", c.windowEndUs);
        n.put("events", c.events);
        n.put("class", c.topClass);
        n.put("class_name", c.topClassName);
        n.put("confidence", c.probabilities[c.topClass]);
        n.put("smoothed_class", c.smoothedClass);
        n.put("smoothed_class_name", c.smoothedClassName);
        n.put("smoothed_confidence", c.smoothedProbabilities[c.smoothedClass]);
        floats(n.putArray("probabilities"), c.probabilities);
        floats(n.putArray("logits"), c.logits);
        n.put("spikes_per_neuron", c.spikesPerNeuron);
        n.put("energy_pj", c.energyPicojoules);
        n.put("fresh_state", c.freshState);
        n.put("latency_ms", c.latencyMs);
        n.put("model", c.modelId);
        return n.toString();
    }

    private static void floats(ArrayNode a, float[] v) {
        for (float f : v) {
            a.add(f);
        }
    }
}
