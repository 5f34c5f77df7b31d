package io.spikestream.model;

/** A model card that is not valid; the message names the offending field. */
public class ModelCardException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public ModelCardException(String field, String problem) {
        super("model card field \"" + field + "\": " + problem);
        this.field = field;
    }

    /** The field path, e.g. {@code stages[1][0]}. */
    public String field() {
        return field;
    }
}
