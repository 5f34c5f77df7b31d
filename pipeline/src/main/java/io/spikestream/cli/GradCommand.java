package io.spikestream.cli;

import io.spikestream.model.ModelFile;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.safetensors.SafeTensorsWriter;
import io.spikestream.model.safetensors.TensorInfo;
import io.spikestream.model.train.BnMode;
import io.spikestream.model.train.Parameter;
import io.spikestream.model.train.SoftmaxCrossEntropy;
import io.spikestream.model.train.SpikingResNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code spikestream grad}: loss and gradient of every parameter for one batch, in float64 with
 * tdBN in eval mode, so a port of a model can be checked against PyTorch's autograd.
 */
@Command(name = "grad", mixinStandardHelpOptions = true,
        description = {"Compute the cross-entropy loss and d loss / d parameter for every parameter (float64, tdBN in eval mode,",
                "rectangular surrogate) and write them as 'loss', 'logits', 'grad.<parameter>' and 'grad.input'."})
public final class GradCommand implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M.safetensors", description = "model file (card in __metadata__[\"card\"] unless --card)")
    Path model;

    @Option(names = "--card", paramLabel = "C.json", description = "model card, for weights files without one in their metadata")
    Path card;

    @Option(names = "--input", required = true, paramLabel = "IO.safetensors", description = "file holding the input and label tensors")
    Path input;

    @Option(names = "--tensor", defaultValue = "input", paramLabel = "NAME", description = "the [T, N, C, H, W] input tensor (default: ${DEFAULT-VALUE})")
    String tensor;

    @Option(names = "--labels-tensor", required = true, paramLabel = "NAME", description = "the [N] integer class labels")
    String labelsTensor;

    @Option(names = "--label-smoothing", defaultValue = "0", paramLabel = "EPS", description = "label smoothing of the target (default: ${DEFAULT-VALUE})")
    double smoothing;

    @Option(names = "--out", required = true, paramLabel = "OUT.safetensors", description = "output file")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--label-smoothing must be in [0, 1), got " + smoothing);
        }
        SafeTensors in = SafeTensors.open(input);
        TensorInfo x = requireTensor(in, tensor, "--tensor");
        if (x.shape().length != 5) {
            throw new IOException(input + ": tensor \"" + tensor + "\" has shape " + x.shapeText() + ", expected [T, N, C, H, W]");
        }
        TensorInfo y = requireTensor(in, labelsTensor, "--labels-tensor");
        if (y.shape().length != 1 || y.shape()[0] != x.shape()[1]) {
            throw new IOException(input + ": labels \"" + labelsTensor + "\" have shape " + y.shapeText() + ", expected [" + x.shape()[1] + "]");
        }
        long[] raw = in.longs(labelsTensor);
        ModelFile file = ModelFile.read(model, card);
        int classes = file.card().numClasses();
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] < 0 || raw[i] >= classes) {
                throw new IOException(input + ": label " + raw[i] + " of sample " + i + " is outside [0, " + classes + ")");
            }
            labels[i] = (int) raw[i];
        }
        SpikingResNet net = SpikingResNet.msResNet(file.card(), DataType.DOUBLE);
        try {
            net.parameters().load(file.weights().asMap());
        } catch (IllegalArgumentException e) {
            throw new IOException(model + ": " + e.getMessage(), e);
        }
        INDArray logits = net.forward(in.array(tensor, DataType.DOUBLE), BnMode.EVAL);
        SoftmaxCrossEntropy.Result r = new SoftmaxCrossEntropy(smoothing).evaluate(logits, labels);
        INDArray gradInput = net.backward(r.gradLogits());

        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata("card", file.card().toJson());
        w.metadata("semantics", "float64, tdBN eval mode, rectangular surrogate, detached reset, mean cross-entropy"
                + (smoothing > 0 ? " with label smoothing " + smoothing : ""));
        w.addF64("loss", new long[] {}, new double[] {r.loss()});
        w.add("logits", logits);
        for (Parameter p : net.parameters().parameters()) {
            w.add("grad." + p.name(), p.grad());
        }
        w.add("grad.input", gradInput);
        w.write(out);
        spec.commandLine().getOut().printf("loss %.12g, %d parameter gradients written to %s%n",
                r.loss(), net.parameters().parameters().size(), out);
        spec.commandLine().getOut().flush();
        return Main.OK;
    }

    private static TensorInfo requireTensor(SafeTensors in, String name, String option) throws IOException {
        if (!in.contains(name)) {
            throw new IOException(in.file() + ": no tensor named \"" + name + "\" (choose one with " + option + ")");
        }
        return in.info(name);
    }
}
