package io.spikestream.model.safetensors;

import java.io.IOException;
import java.nio.file.Path;

/** A safetensors file that cannot be read; the message names the file, the byte offset and the problem. */
public class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;
    private final long offset;

    public SafeTensorsException(Path file, long offset, String problem) {
        super(file + " at byte " + offset + ": " + problem);
        this.file = file;
        this.offset = offset;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }
}
