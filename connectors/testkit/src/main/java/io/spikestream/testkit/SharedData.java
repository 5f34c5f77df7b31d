package io.spikestream.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The one place that knows where the shared reference data lives: the folder {@code shared}
 * beside the clone, holding {@code fixtures/msresnet} (PyTorch reference tensors) and
 * {@code data/real} (recordings of real cameras). It is not part of the repository, so tests that
 * need it skip, saying what is missing, when it is absent.
 *
 * <p>Where: the system property {@code spikestream.shared} when it names a folder (the build
 * sets it to {@code ../shared} beside the project root); otherwise the first folder named
 * {@code shared} found beside the working directory or one of its parents, which covers a test
 * started from an IDE in a module's folder.
 */
public final class SharedData {
    /** The system property that names the shared folder. */
    public static final String PROPERTY = "spikestream.shared";

    private SharedData() {}

    /** The shared folder, if there is one. */
    public static Optional<Path> root() {
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isBlank() && Files.isDirectory(Path.of(prop))) {
            return Optional.of(Path.of(prop));
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared");
            if (dir.getParent() != null && Files.isDirectory(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** {@code relative} inside the shared folder, if both exist. */
    public static Optional<Path> find(String relative) {
        return root().map(r -> r.resolve(relative)).filter(Files::exists);
    }

    /**
     * {@code relative} inside the shared folder (a file or a folder); skips the calling test,
     * with the reason, when it is absent.
     */
    public static Path require(String relative) {
        Optional<Path> p = find(relative);
        assumeTrue(p.isPresent(), () -> "shared data " + relative + " not found "
                + root().map(r -> "in " + r.toAbsolutePath()).orElse("(no shared folder; set -D" + PROPERTY + "=<folder>)")
                + ": skipping");
        return p.get();
    }

    /** The MS-ResNet reference file {@code fixtures/msresnet/<name>}, or a skip. */
    public static Path fixture(String name) {
        return require("fixtures/msresnet/" + name);
    }

    /** The real-camera recording {@code data/real/<name>}, or a skip. */
    public static Path real(String name) {
        return require("data/real/" + name);
    }
}
