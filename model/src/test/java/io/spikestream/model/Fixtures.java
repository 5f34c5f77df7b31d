package io.spikestream.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the shared MS-ResNet reference fixtures; tests that need them are skipped when absent. */
public final class Fixtures {
    private Fixtures() {}

    /** {@code <shared>/fixtures/msresnet}, from system property {@code spikestream.shared} or {@code ../shared}. */
    public static Path msresnet() {
        String prop = System.getProperty("spikestream.shared");
        Path shared = prop != null && !prop.isBlank() ? Path.of(prop) : Path.of("..", "shared");
        if (!Files.isDirectory(shared.resolve("fixtures/msresnet")) && prop == null) {
            shared = Path.of("..", "..", "shared");
        }
        Path dir = shared.resolve("fixtures").resolve("msresnet");
        assumeTrue(Files.isDirectory(dir), "MS-ResNet fixtures not found at " + dir.toAbsolutePath()
                + " (set -Dspikestream.shared=<shared folder>); skipping");
        return dir;
    }

    public static Path file(String name) {
        Path p = msresnet().resolve(name);
        assumeTrue(Files.isRegularFile(p), "fixture " + p + " is absent; skipping");
        return p;
    }
}
