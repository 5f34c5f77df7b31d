package io.spikestream.connectors.synth;

import io.spikestream.connectors.recording.gesture.GestureRecording;

/**
 * One synthetic recording on disk, as {@code spikestream synth} reports it.
 *
 * @param recording the AEDAT 3.1 file and its {@code _labels.csv}
 * @param samples labelled gesture takes
 * @param eventCount events written
 * @param bytes size of the event file
 * @param simulatedUs length of the recording
 */
public record WrittenRecording(GestureRecording recording, int samples, long eventCount, long bytes, long simulatedUs) {}
