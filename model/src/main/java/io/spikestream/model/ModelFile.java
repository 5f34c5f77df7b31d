package io.spikestream.model;

import io.spikestream.model.safetensors.DType;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.safetensors.SafeTensorsWriter;
import io.spikestream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model on disk: a safetensors file with the official PyTorch state_dict names (a {@code module.}
 * prefix, as saved from DistributedDataParallel, is stripped) and the {@link ModelCard} in
 * {@code __metadata__["card"]} or in a separate card file. Other metadata entries (for example
 * {@code "framing"}, the frame parameters the model was trained with) are kept and written back.
 *
 * @param card the architecture
 * @param weights every tensor the card calls for (num_batches_tracked may be absent)
 * @param metadata all {@code __metadata__} entries of the file (including {@code card})
 */
public record ModelFile(ModelCard card, ModelWeights weights, Map<String, String> metadata) {
    public static final String CARD_KEY = "card";
    private static final String DDP_PREFIX = "module.";

    public ModelFile {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Reads a model file whose card is in its metadata. */
    public static ModelFile read(Path file) throws IOException {
        return read(file, null);
    }

    /**
     * Reads weights from {@code file}; the card comes from {@code cardFile} when given, else from
     * the file's metadata. All tensor problems are reported together in one {@link ModelFormatException}.
     */
    public static ModelFile read(Path file, Path cardFile) throws IOException {
        SafeTensors st = SafeTensors.open(file);
        ModelCard card;
        if (cardFile != null) {
            card = ModelCard.read(cardFile);
        } else {
            String json = st.metadata().get(CARD_KEY);
            if (json == null) {
                throw new IOException(file + ": no model card: __metadata__[\"card\"] is absent; pass a card file");
            }
            try {
                card = ModelCard.parse(json);
            } catch (ModelCardException e) {
                throw new IOException(file + ": __metadata__[\"card\"]: " + e.getMessage(), e);
            }
        }
        Map<String, long[]> expected = StateDict.expectedShapes(card);
        List<String> problems = new ArrayList<>();
        Map<String, String> fileNameOf = new LinkedHashMap<>();
        for (String name : st.tensors().keySet()) {
            String plain = name.startsWith(DDP_PREFIX) ? name.substring(DDP_PREFIX.length()) : name;
            if (fileNameOf.put(plain, name) != null) {
                problems.add("tensor " + plain + " appears both with and without the \"module.\" prefix");
            }
        }
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = e.getKey();
            String inFile = fileNameOf.get(name);
            if (inFile == null) {
                if (!name.endsWith(StateDict.NUM_BATCHES_TRACKED)) {
                    problems.add("missing tensor " + name + " " + Arrays.toString(e.getValue()));
                }
                continue;
            }
            TensorInfo info = st.info(inFile);
            if (!Arrays.equals(info.shape(), e.getValue())) {
                problems.add("tensor " + inFile + " has shape " + info.shapeText() + ", expected " + Arrays.toString(e.getValue()));
            }
            boolean wantsInt = name.endsWith(StateDict.NUM_BATCHES_TRACKED);
            if (info.dtype().isFloating() == wantsInt) {
                problems.add("tensor " + inFile + " is " + info.dtype() + ", expected " + (wantsInt ? "an integer type" : "a floating type"));
            }
        }
        for (String plain : new TreeSet<>(fileNameOf.keySet())) {
            if (!expected.containsKey(plain)) {
                problems.add("unexpected tensor " + fileNameOf.get(plain));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(file, problems);
        }
        Map<String, INDArray> tensors = new LinkedHashMap<>();
        for (String name : expected.keySet()) {
            String inFile = fileNameOf.get(name);
            if (inFile != null) {
                boolean counter = name.endsWith(StateDict.NUM_BATCHES_TRACKED);
                tensors.put(name, st.array(inFile, counter ? DataType.LONG : DataType.DOUBLE));
            }
        }
        return new ModelFile(card, ModelWeights.of(tensors), st.metadata());
    }

    /**
     * Writes {@code weights} with {@code card} in {@code __metadata__["card"]} plus {@code extraMetadata}
     * (e.g. {@code "framing"}). Floating tensors are stored as {@code floatType} (F32 or F64);
     * missing num_batches_tracked counters are written as 0 so PyTorch loads the file strictly.
     * The weights are checked against the card first, so a written file always loads.
     */
    public static void write(Path file, ModelCard card, ModelWeights weights, Map<String, String> extraMetadata,
            DType floatType) throws IOException {
        if (floatType != DType.F32 && floatType != DType.F64) {
            throw new IllegalArgumentException("weights are written as F32 or F64, not " + floatType);
        }
        Map<String, long[]> expected = StateDict.expectedShapes(card);
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            if (!weights.contains(e.getKey())) {
                if (!e.getKey().endsWith(StateDict.NUM_BATCHES_TRACKED)) {
                    problems.add("missing tensor " + e.getKey() + " " + Arrays.toString(e.getValue()));
                }
            } else if (!Arrays.equals(weights.get(e.getKey()).shape(), e.getValue())) {
                problems.add("tensor " + e.getKey() + " has shape " + Arrays.toString(weights.get(e.getKey()).shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        for (String name : weights.asMap().keySet()) {
            if (!expected.containsKey(name)) {
                problems.add("unexpected tensor " + name);
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelFormatException(file, problems);
        }
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata(extraMetadata);
        w.metadata("format", "pytorch state_dict names (official MS-ResNet naming)");
        w.metadata(CARD_KEY, card.toJson());
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(StateDict.NUM_BATCHES_TRACKED)) {
                INDArray c = weights.contains(name) ? weights.get(name) : Nd4j.scalar(DataType.LONG, 0L);
                w.addI64(name, new long[] {}, new long[] {c.getLong(0)});
            } else {
                INDArray t = weights.get(name);
                if (floatType == DType.F64) {
                    w.addF64(name, e.getValue(), t.castTo(DataType.DOUBLE).dup('c').data().asDouble());
                } else {
                    w.addF32(name, e.getValue(), t.castTo(DataType.FLOAT).dup('c').data().asFloat());
                }
            }
        }
        w.write(file);
    }

    /** Writes this model (card, weights and metadata) as {@code floatType}. */
    public void write(Path file, DType floatType) throws IOException {
        Map<String, String> extra = new LinkedHashMap<>(metadata);
        extra.remove(CARD_KEY);
        write(file, card, weights, extra, floatType);
    }
}
