package io.spikestream.pipeline.job;

import io.spikestream.schemas.Classification;
import java.util.ArrayList;
import java.util.List;

/**
 * One window's classification inside the job (a Flink POJO); {@link #toAvro()} gives the
 * {@code Classification} record written to Kafka.
 */
public class ClassificationResult {
    public String sensorId;
    public long windowIndex;
    public long windowStartUs;
    public long windowEndUs;
    public long events;
    public int topClass;
    public String topClassName;
    public float[] probabilities;
    public float[] logits;
    public int smoothedClass;
    public String smoothedClassName;
    public float[] smoothedProbabilities;
    public double spikesPerNeuron;
    public String[] layerNames;
    public float[] layerRates;
    public double synapticOperations;
    public double energyPicojoules;
    public String modelId;
    public double latencyMs;
    public long emittedAtMs;
    /** Whether the membrane state was fresh at the start of this window (first window or after an idle gap). */
    public boolean freshState;

    public ClassificationResult() {
    }

    public Classification toAvro() {
        List<io.spikestream.schemas.LayerSpikeRate> rates = new ArrayList<>();
        for (int i = 0; i < layerNames.length; i++) {
            rates.add(new io.spikestream.schemas.LayerSpikeRate(layerNames[i], layerRates[i]));
        }
        return Classification.newBuilder()
                .setSensorId(sensorId)
                .setWindowStartUs(windowStartUs)
                .setWindowEndUs(windowEndUs)
                .setWindowIndex(windowIndex)
                .setTopClass(topClass)
                .setTopClassName(topClassName)
                .setProbabilities(boxed(probabilities))
                .setLogits(boxed(logits))
                .setSmoothedClass(smoothedClass)
                .setSmoothedClassName(smoothedClassName)
                .setSmoothedProbabilities(boxed(smoothedProbabilities))
                .setSpikes(io.spikestream.schemas.SpikeStatistics.newBuilder()
                        .setSpikesPerNeuron(spikesPerNeuron)
                        .setLayerSpikeRates(rates)
                        .setSynapticOperations(synapticOperations)
                        .setEnergyPicojoules(energyPicojoules)
                        .build())
                .setModelId(modelId)
                .setLatencyMs(latencyMs)
                .setEmittedAtMs(emittedAtMs)
                .build();
    }

    private static List<Float> boxed(float[] v) {
        List<Float> l = new ArrayList<>(v.length);
        for (float f : v) {
            l.add(f);
        }
        return l;
    }

    @Override
    public String toString() {
        return sensorId + " #" + windowIndex + " [" + windowStartUs + ", " + windowEndUs + ") " + topClassName
                + " (smoothed " + smoothedClassName + ")";
    }
}
