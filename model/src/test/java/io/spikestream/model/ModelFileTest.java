package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.safetensors.DType;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.safetensors.SafeTensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class ModelFileTest {
    @TempDir Path dir;

    @Test
    void loadsFixtureWeightsWithTheCardFromTheirMetadataOrFromACardFile() throws IOException {
        ModelFile fromMeta = ModelFile.read(Fixtures.file("tiny104.weights.safetensors"));
        ModelFile fromCard = ModelFile.read(Fixtures.file("tiny104.weights.f32.safetensors"), Fixtures.file("tiny104.card.json"));
        assertEquals(fromMeta.card(), fromCard.card());
        assertEquals(85, fromMeta.weights().asMap().size());
        assertEquals(fromMeta.weights().get("conv1.2.weight"), fromCard.weights().get("conv1.2.weight"));
    }

    @Test
    void writtenModelKeepsCardWeightsAndExtraMetadata() throws IOException {
        ModelCard card = ModelCard.read(Fixtures.file("tiny.card.json"));
        ModelWeights w = ModelWeights.random(card, 7);
        Path f = dir.resolve("m.safetensors");
        ModelFile.write(f, card, w, Map.of("framing", "{\"dt_us\":5000}"), DType.F32);
        ModelFile back = ModelFile.read(f);
        assertEquals(card, back.card());
        assertEquals("{\"dt_us\":5000}", back.metadata().get("framing"));
        for (Map.Entry<String, INDArray> e : w.asMap().entrySet()) {
            assertEquals(e.getValue().castTo(back.weights().get(e.getKey()).dataType()), back.weights().get(e.getKey()), e.getKey());
        }
    }

    @Test
    void acceptsTheDataParallelModulePrefix() throws IOException {
        SafeTensors src = SafeTensors.open(Fixtures.file("tiny.weights.safetensors"));
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(src.metadata());
        for (String name : src.tensors().keySet()) {
            if (name.endsWith("num_batches_tracked")) {
                w.addI64("module." + name, new long[] {}, src.longs(name));
            } else {
                w.addF64("module." + name, src.info(name).shape(), src.doubles(name));
            }
        }
        Path f = dir.resolve("ddp.safetensors");
        w.write(f);
        ModelFile m = ModelFile.read(f);
        assertArrayEquals(src.doubles("fc.weight"), m.weights().get("fc.weight").data().asDouble());
    }

    @Test
    void missingUnexpectedAndWronglyShapedTensorsAreListedInOneError() throws IOException {
        SafeTensors src = SafeTensors.open(Fixtures.file("tiny.weights.safetensors"));
        SafeTensorsWriter w = new SafeTensorsWriter().metadata(src.metadata());
        for (String name : src.tensors().keySet()) {
            if (name.equals("fc.bias") || name.endsWith("num_batches_tracked")) {
                continue;
            }
            long[] shape = src.info(name).shape();
            double[] v = src.doubles(name);
            if (name.equals("conv1.0.weight")) {
                shape = new long[] {8, 2, 49};
            }
            w.addF64(name, shape, v);
        }
        w.addF64("extra.weight", new long[] {1}, new double[] {1});
        Path f = dir.resolve("bad.safetensors");
        w.write(f);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelFile.read(f));
        assertEquals(3, e.problems().size(), e.getMessage());
        assertTrue(e.getMessage().contains("missing tensor fc.bias [11]"), e.getMessage());
        assertTrue(e.getMessage().contains("conv1.0.weight has shape [8, 2, 49], expected [8, 2, 7, 7]"), e.getMessage());
        assertTrue(e.getMessage().contains("unexpected tensor extra.weight"), e.getMessage());
    }
}
