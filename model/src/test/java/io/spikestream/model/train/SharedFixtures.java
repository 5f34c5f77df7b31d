package io.spikestream.model.train;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates {@code ../shared/fixtures/msresnet} (system property {@code spikestream.shared}). */
final class SharedFixtures {
    private SharedFixtures() {}

    static Path msresnet() {
        String prop = System.getProperty("spikestream.shared");
        Path shared = prop != null ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(shared) && prop == null) {
            shared = Path.of("..", "..", "shared");
        }
        Path dir = shared.resolve("fixtures").resolve("msresnet");
        assumeTrue(Files.isDirectory(dir), "shared fixtures not found at " + dir.toAbsolutePath()
                + " (set -Dspikestream.shared); skipping");
        return dir;
    }
}
