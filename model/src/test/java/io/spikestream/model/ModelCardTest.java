package io.spikestream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelCardTest {
    private static final String TINY = "{\"arch\":\"ms-resnet\",\"in_channels\":2,\"num_classes\":11,"
            + "\"stem\":{\"type\":\"conv7\",\"channels\":8},\"stages\":[[8,1],[16,1],[32,1],[64,1]],"
            + "\"shortcut\":\"conv\",\"lif\":{\"v_th\":0.5,\"decay\":0.25},\"bn_eps\":1e-05,"
            + "\"surrogate\":{\"type\":\"rectangular\",\"lens\":0.5}}";

    @Test
    void parsesTheFixtureCardFormatAndWritesItBack() {
        ModelCard c = ModelCard.parse(TINY);
        assertEquals(ModelCard.StemType.CONV7, c.stem().type());
        assertEquals(List.of(new ModelCard.Stage(8, 1), new ModelCard.Stage(16, 1), new ModelCard.Stage(32, 1),
                new ModelCard.Stage(64, 1)), c.stages());
        assertEquals(0.25, c.lif().decay());
        assertEquals(c, ModelCard.parse(c.toJson()));
        assertEquals(9, c.lifLayerNames().size());
        assertEquals("conv2_x.0.residual_function.0", c.lifLayerNames().get(0));
        assertEquals("mem_update", c.lifLayerNames().get(8));
    }

    @Test
    void readsEveryFixtureCard() throws IOException {
        for (String name : List.of("tiny", "tiny104", "ms18-64", "grad")) {
            ModelCard c = ModelCard.read(Fixtures.file(name + ".card.json"));
            assertEquals(2, c.inChannels(), name);
        }
        assertEquals(ModelCard.Shortcut.AVGPOOL, ModelCard.read(Fixtures.file("tiny104.card.json")).shortcut());
    }

    @Test
    void invalidCardsNameTheField() {
        assertField("stages[1][1]", TINY.replace("[16,1]", "[16,0]"));
        assertField("stem.type", TINY.replace("conv7", "conv9"));
        assertField("shortcut", TINY.replace("\"conv\"", "\"maxpool\""));
        assertField("lif.decay", TINY.replace("\"decay\":0.25", "\"decay\":1.5"));
        assertField("in_channels", TINY.replace("\"in_channels\":2", "\"in_channels\":\"two\""));
        assertField("num_classes", TINY.replace("\"num_classes\":11,", ""));
        assertField("shorcut", TINY.replace("\"shortcut\"", "\"shorcut\""));
        assertField("bn_eps", TINY.replace("1e-05", "0"));
    }

    private static void assertField(String field, String json) {
        ModelCardException e = assertThrows(ModelCardException.class, () -> ModelCard.parse(json));
        assertEquals(field, e.field(), e.getMessage());
    }
}
