package io.spikestream.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A model file that does not fit its card: every missing, unexpected or wrongly shaped tensor is
 * listed in one message, so a conversion can be fixed in one go.
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ModelFormatException(Path file, List<String> problems) {
        super(file + ": " + problems.size() + " problem" + (problems.size() == 1 ? "" : "s") + " with the weights: "
                + String.join("; ", problems));
        this.problems = List.copyOf(problems);
    }

    /** One line per problem, e.g. {@code missing tensor fc.bias [11]}. */
    public List<String> problems() {
        return problems;
    }
}
