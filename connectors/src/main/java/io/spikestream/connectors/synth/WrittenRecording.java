package io.spikestream.connectors.synth;

import java.nio.file.Path;

/**
 * One synthetic recording on disk, as {@code spikestream synth} reports it.
 *
 * @param events the AEDAT 3.1 file
 * @param labels the {@code _labels.csv} beside it
 * @param samples labelled gesture takes
 * @param eventCount events written
 * @param bytes size of the event file
 * @param simulatedUs length of the recording
 */
public record WrittenRecording(Path events, Path labels, int samples, long eventCount, long bytes, long simulatedUs) {}
