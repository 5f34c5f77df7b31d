package io.spikestream.pipeline.job;

import io.spikestream.model.ModelFile;
import io.spikestream.pipeline.framing.FramingSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a command learns from a model file before building the job: the framing spec stored with
 * it (so serving bins as training did), class names and id. Command-line overrides of the
 * framing are applied with a warning, since the model was trained on the stored framing.
 */
public record ModelSetup(Path model, FramingSpec framing, List<String> classNames, String modelId) {

    /**
     * Reads the model file's metadata.
     *
     * @throws IOException when the file is missing, unreadable or has no framing spec
     */
    public static ModelSetup read(Path model) throws IOException {
        if (!Files.isRegularFile(model)) {
            throw new IOException("model file " + model + " does not exist");
        }
        ModelFile file = ModelFile.read(model);
        FramingSpec spec;
        try {
            spec = MsResNetWindowModel.framing(file);
        } catch (IllegalArgumentException e) {
            throw new IOException(model + ": __metadata__[\"" + FramingSpec.METADATA_KEY + "\"]: " + e.getMessage(), e);
        }
        if (spec == null) {
            throw new IOException(model + " has no framing spec (__metadata__[\"" + FramingSpec.METADATA_KEY
                    + "\"]): the job cannot know how the model's training frames were binned");
        }
        String id = file.metadata().getOrDefault(MsResNetWindowModel.MODEL_ID_KEY, model.getFileName().toString());
        return new ModelSetup(model, spec, MsResNetWindowModel.classNames(file), id);
    }

    /** Whether the model file carries its class names (otherwise they are {@code class N}). */
    public boolean namedClasses() {
        return !classNames.equals(MsResNetWindowModel.numberedClassNames(classNames.size()));
    }

    /** Says once, on {@code err}, that a model without class names shows its classes as {@code class N}. */
    public void noteUnnamedClasses(PrintWriter err) {
        if (!namedClasses()) {
            err.println(unnamedNotice(model));
            err.flush();
        }
    }

    /** The notice for a model file without class names. */
    public static String unnamedNotice(Path model) {
        return "note: " + model.getFileName() + " carries no class names (__metadata__[\"" + MsResNetWindowModel.CLASS_NAMES_KEY
                + "\"]); classes are shown as 'class N'";
    }

    /** The framing with the given overrides (null = keep), warning on {@code err} for each one that changes it. */
    public FramingSpec framing(Long dtUs, Integer bins, Integer hopBins, Boolean clip, Long denoiseUs, PrintWriter err) {
        FramingSpec s = framing;
        if (dtUs != null && dtUs != s.dtUs()) {
            warn(err, "--dt-us " + dtUs, "dt " + s.dtUs() + " µs");
            s = s.withDt(dtUs);
        }
        if (bins != null && bins != s.bins()) {
            warn(err, "--bins " + bins, bins + " bins per window instead of " + s.bins());
            s = s.withBins(bins, Math.min(bins, hopBins != null ? hopBins : (s.hopBins() == s.bins() ? bins : s.hopBins())));
        }
        if (hopBins != null && hopBins != s.hopBins()) {
            warn(err, "--hop-bins " + hopBins, "hop " + s.hopBins() + " bins");
            s = s.withHop(hopBins);
        }
        if (clip != null && clip != s.clip()) {
            warn(err, "--clip " + clip, "clip " + s.clip());
            s = s.withClip(clip);
        }
        if (denoiseUs != null && (denoiseUs > 0) != s.denoise() || denoiseUs != null && denoiseUs > 0 && denoiseUs != s.denoiseWindowUs()) {
            warn(err, "--denoise-us " + denoiseUs, s.denoise() ? "denoise window " + s.denoiseWindowUs() + " µs" : "no denoise");
            s = s.withDenoise(denoiseUs);
        }
        return s;
    }

    private void warn(PrintWriter err, String flag, String stored) {
        err.println("warning: " + flag + " overrides the framing stored with " + model.getFileName() + " (" + stored
                + "); the model was trained on the stored framing");
        err.flush();
    }
}
