package io.spikestream.connectors.recording;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates /work/shared (system property {@code spikestream.shared}, else {@code ../shared}). */
final class SharedData {
    private SharedData() {}

    static Path real(String name) {
        String prop = System.getProperty("spikestream.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(shared) && prop == null) {
            shared = Path.of("..", "..", "shared");
        }
        Path file = shared.resolve("data").resolve("real").resolve(name);
        assumeTrue(Files.isRegularFile(file), "shared recording " + file + " absent: test skipped");
        return file;
    }
}
