package io.spikestream.pipeline.job;

import io.spikestream.model.ModelCard;
import io.spikestream.model.ModelFile;
import io.spikestream.model.ModelWeights;
import io.spikestream.model.safetensors.DType;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Small random-weight MS-ResNets for tests (untrained: only tests may use them). */
public final class TestModels {
    private TestModels() {
    }

    /** A two-stage MS-ResNet with 4 classes and {@code spec} in its metadata, written to {@code file}. */
    public static Path tiny(Path file, FramingSpec spec, long seed) throws IOException {
        return tiny(file, spec, seed, List.of("north", "east", "south", "west"));
    }

    /** As above with the given classes (names go to the metadata). */
    public static Path tiny(Path file, FramingSpec spec, long seed, List<String> classes) throws IOException {
        ModelCard card = ModelCard.of(2, classes.size(), new ModelCard.Stem(ModelCard.StemType.CONV7, 8),
                List.of(new ModelCard.Stage(8, 1), new ModelCard.Stage(16, 1)), ModelCard.Shortcut.CONV);
        String names = new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(classes);
        ModelFile.write(file, card, ModelWeights.random(card, seed), Map.of(
                FramingSpec.METADATA_KEY, spec.toJson(),
                MsResNetWindowModel.CLASS_NAMES_KEY, names,
                MsResNetWindowModel.MODEL_ID_KEY, "tiny-random-" + seed), DType.F32);
        return file;
    }
}
