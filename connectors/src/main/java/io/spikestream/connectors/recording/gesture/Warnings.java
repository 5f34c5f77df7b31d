package io.spikestream.connectors.recording.gesture;

import java.nio.file.Path;

/**
 * Where recoverable problems in dataset files go (e.g. a malformed label row, which is skipped).
 * spikestream prints them to standard error by default ({@link #STDERR}) so that a long
 * training run shows them without a logging set-up; tests pass a collecting sink.
 */
@FunctionalInterface
public interface Warnings {
    /** Prints {@code warning: FILE:LINE: PROBLEM} to standard error. */
    Warnings STDERR = (file, line, problem) -> System.err.println("warning: " + file + ":" + line + ": " + problem);

    void warn(Path file, long line, String problem);
}
