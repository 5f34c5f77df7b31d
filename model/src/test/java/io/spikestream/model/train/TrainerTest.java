package io.spikestream.model.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spikestream.model.ModelCard;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTest {
    static final ModelCard TINY = ModelCard.of(2, 4, new ModelCard.Stem(ModelCard.StemType.CONV7, 8),
            List.of(new ModelCard.Stage(8, 1), new ModelCard.Stage(16, 1)), ModelCard.Shortcut.CONV);

    static TrainingConfig config(int epochs) {
        return new TrainingConfig(epochs, 8, 2e-2, 1e-4, 0, "adamw", 0.9, 1e-4, 0.0, 5.0, 1, 7);
    }

    @Test
    void aTinyModelLearnsMovingDotDirectionsFarAboveChanceInSeconds() {
        InMemoryData train = MovingDots.generate(128, 6, 16, 1);
        InMemoryData test = MovingDots.generate(64, 6, 16, 2);
        Trainer trainer = Trainer.start(TINY, config(8), train.size(), DataType.FLOAT);
        for (int e = 0; e < 8; e++) {
            trainer.trainEpoch(train, null);
        }
        ConfusionMatrix eval = Trainer.evaluate(trainer.network(), test, 16);
        assertTrue(eval.accuracy() >= 0.6, "held-out accuracy " + eval.accuracy() + " (chance 0.25)");
    }

    @Test
    void resumingFromACheckpointGivesTheSameWeightsAsAnUninterruptedRun(@TempDir Path dir) throws Exception {
        InMemoryData train = MovingDots.generate(24, 4, 16, 3);
        Trainer straight = Trainer.start(TINY, config(2), train.size(), DataType.FLOAT);
        straight.trainEpoch(train, null);
        straight.trainEpoch(train, null);

        Trainer first = Trainer.start(TINY, config(2), train.size(), DataType.FLOAT);
        first.trainEpoch(train, null);
        Path ckpt = dir.resolve("epoch1.safetensors");
        first.writeCheckpoint(ckpt, Map.of("framing", "{}"));
        Trainer resumed = Trainer.resume(ckpt);
        assertEquals(1, resumed.epochsDone());
        resumed.trainEpoch(train, null);

        Map<String, INDArray> a = straight.network().parameters().stateDict();
        Map<String, INDArray> b = resumed.network().parameters().stateDict();
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(rawBytes(a.get(k)), rawBytes(b.get(k)), k);
        }
        assertEquals(straight.steps(), resumed.steps());
    }

    @Test
    void theSameSeedTrainsToBitwiseTheSameWeights() {
        InMemoryData train = MovingDots.generate(16, 4, 16, 4);
        Trainer a = Trainer.start(TINY, config(1), train.size(), DataType.FLOAT);
        Trainer b = Trainer.start(TINY, config(1), train.size(), DataType.FLOAT);
        a.trainEpoch(train, null);
        b.trainEpoch(train, null);
        // every tensor, parameters and tdBN running statistics, byte for byte: INDArray.equals allows a tolerance
        Map<String, INDArray> wa = a.network().parameters().stateDict();
        Map<String, INDArray> wb = b.network().parameters().stateDict();
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) {
            assertArrayEquals(rawBytes(wa.get(k)), rawBytes(wb.get(k)), k);
        }
    }

    /** The tensor's elements as stored (C order, native byte order): equal bytes, equal bits, NaNs and signed zeros included. */
    static byte[] rawBytes(INDArray a) {
        INDArray c = a.dup('c');
        ByteBuffer nio = c.data().asNio().duplicate();
        byte[] out = new byte[Math.toIntExact(c.length() * c.dataType().width())];
        nio.position(0);
        nio.get(out);
        return out;
    }
}
