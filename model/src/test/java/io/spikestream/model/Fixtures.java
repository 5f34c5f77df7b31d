package io.spikestream.model;

import io.spikestream.testkit.SharedData;
import java.nio.file.Path;

/** The shared MS-ResNet reference fixtures ({@link SharedData}); tests that need them are skipped when absent. */
public final class Fixtures {
    private Fixtures() {}

    /** {@code <shared>/fixtures/msresnet}, or a skip. */
    public static Path msresnet() {
        return SharedData.require("fixtures/msresnet");
    }

    /** One file of {@code <shared>/fixtures/msresnet}, or a skip. */
    public static Path file(String name) {
        return SharedData.fixture(name);
    }
}
