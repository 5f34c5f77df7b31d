package io.spikestream.connectors.recording.gesture;

import io.spikestream.connectors.event.EventBatch;

/** The events of one labelled gesture: those of the recording whose time lies in the label's span. */
public record LabelledSample(GestureRecording rec, GestureLabel label, EventBatch events) {}
