package io.spikestream.connectors.recording;

import java.io.IOException;
import java.nio.file.Path;

/** Input that cannot be decoded; the message names the file, the byte offset and what was wrong. */
public class RecordingFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final Path file;
    private final long offset;
    private final String problem;

    public RecordingFormatException(Path file, long offset, String problem) {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    /** What was wrong, without the file and offset. */
    public String problem() {
        return problem;
    }
}
