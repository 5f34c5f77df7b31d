package io.spikestream.model.train;

import io.spikestream.model.ModelCard;
import io.spikestream.model.safetensors.DType;
import io.spikestream.model.safetensors.SafeTensors;
import io.spikestream.model.safetensors.SafeTensorsWriter;
import io.spikestream.model.safetensors.TensorInfo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains an MS-ResNet epoch by epoch: shuffled mini-batches, training-mode tdBN, cross-entropy
 * on the mean logits, gradient clipping, a per-step cosine schedule and SGD or AdamW.
 *
 * <p>Deterministic for a seed: initialisation, the order of the samples and the augmentation
 * of epoch {@code e} all derive from {@code (seed, e)}, so the random state at an epoch
 * boundary is fully described by the seed and the epoch, and a run resumed from a checkpoint
 * continues exactly as an uninterrupted one.
 */
public final class Trainer {
    /** Receives progress after every step. */
    public interface Progress {
        void update(int epoch, int samplesDone, int samplesTotal, double meanLoss, double accuracy,
                double samplesPerSecond);
    }

    /** Mean loss and accuracy of one training epoch (training mode, augmented samples). */
    public record EpochStats(int epoch, double loss, double accuracy, int samples, double seconds) {}

    private static final String MODEL = "model.";
    private static final String OPTIM = "optim.";

    private final SpikingResNet net;
    private final TrainingConfig config;
    private final Optimizer optimizer;
    private final int stepsPerEpoch;
    private final CosineSchedule schedule;
    private int epochsDone;
    private long step;

    private Trainer(SpikingResNet net, TrainingConfig config, int stepsPerEpoch) {
        this.net = net;
        this.config = config;
        this.optimizer = config.newOptimizer();
        this.stepsPerEpoch = stepsPerEpoch;
        long total = (long) stepsPerEpoch * config.epochs();
        long warmup = Math.min(total - 1, Math.round(config.warmupEpochs() * stepsPerEpoch));
        this.schedule = new CosineSchedule(config.lr(), Math.min(config.minLr(), config.lr()), total, warmup);
    }

    /** A fresh network for {@code card} with the paper's initialisation from {@code config.seed()}. */
    public static Trainer start(ModelCard card, TrainingConfig config, int trainingSamples, DataType dataType) {
        SpikingResNet net = SpikingResNet.msResNet(card, dataType);
        Initializer.paper(net, config.seed());
        return new Trainer(net, config, Math.max(1, (trainingSamples + config.batchSize() - 1) / config.batchSize()));
    }

    public SpikingResNet network() {
        return net;
    }

    public TrainingConfig config() {
        return config;
    }

    /** Epochs completed so far (also after a resume). */
    public int epochsDone() {
        return epochsDone;
    }

    public long steps() {
        return step;
    }

    /** Trains one epoch over {@code data} and returns its statistics. */
    public EpochStats trainEpoch(TrainingData data, Progress progress) {
        int epoch = epochsDone;
        SplittableRandom rng = epochRandom(config.seed(), epoch);
        int[] order = permutation(data.size(), rng);
        int batch = config.batchSize();
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(config.labelSmoothing());
        long start = System.nanoTime();
        double lossSum = 0;
        int correct = 0;
        int done = 0;
        for (int from = 0; from < order.length; from += batch) {
            int n = Math.min(batch, order.length - from);
            int[] idx = java.util.Arrays.copyOfRange(order, from, from + n);
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                labels[i] = data.label(idx[i]);
            }
            INDArray input = batchOf(data, idx, config.maxShift(), rng);
            INDArray logits = net.forward(input, BnMode.TRAIN);
            SoftmaxCrossEntropy.Result r = loss.evaluate(logits, labels);
            net.backward(r.gradLogits());
            GradientClipping.clip(net.parameters().parameters(), config.clipNorm());
            optimizer.step(net.parameters().parameters(), schedule.lr(step));
            step++;
            lossSum += r.loss() * n;
            correct += r.correct();
            done += n;
            if (progress != null) {
                double secs = (System.nanoTime() - start) / 1e9;
                progress.update(epoch, done, order.length, lossSum / done, (double) correct / done, done / secs);
            }
        }
        epochsDone++;
        return new EpochStats(epoch, lossSum / Math.max(1, done), (double) correct / Math.max(1, done), done,
                (System.nanoTime() - start) / 1e9);
    }

    /** Accuracy and confusion matrix of {@code net} on {@code data} with tdBN in eval mode. */
    public static ConfusionMatrix evaluate(SpikingResNet net, TrainingData data, int batch) {
        int k = net.card().numClasses();
        long[][] confusion = new long[k][k];
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(0);
        double lossSum = 0;
        for (int from = 0; from < data.size(); from += batch) {
            int n = Math.min(batch, data.size() - from);
            int[] idx = new int[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = from + i;
                labels[i] = data.label(from + i);
            }
            INDArray logits = net.forward(batchOf(data, idx, 0, null), BnMode.EVAL);
            lossSum += loss.evaluate(logits, labels).loss() * n;
            INDArray predicted = logits.argMax(1);
            for (int i = 0; i < n; i++) {
                confusion[labels[i]][predicted.getInt(i)]++;
            }
        }
        return new ConfusionMatrix(confusion, lossSum / Math.max(1, data.size()));
    }

    /** Stacks samples {@code idx} into {@code [T, N, C, H, W]}, each shifted by up to {@code maxShift} pixels. */
    static INDArray batchOf(TrainingData data, int[] idx, int maxShift, SplittableRandom rng) {
        int t = data.timesteps();
        int c = data.channels();
        int h = data.height();
        int w = data.width();
        int n = idx.length;
        int plane = h * w;
        float[] out = new float[t * n * c * plane];
        for (int s = 0; s < n; s++) {
            float[] f = data.frames(idx[s]);
            int dy = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
            int dx = maxShift > 0 ? rng.nextInt(-maxShift, maxShift + 1) : 0;
            for (int ti = 0; ti < t; ti++) {
                for (int ci = 0; ci < c; ci++) {
                    int src = (ti * c + ci) * plane;
                    int dst = ((ti * n + s) * c + ci) * plane;
                    if (dx == 0 && dy == 0) {
                        System.arraycopy(f, src, out, dst, plane);
                        continue;
                    }
                    for (int y = Math.max(0, dy); y < Math.min(h, h + dy); y++) {
                        int x0 = Math.max(0, dx);
                        int x1 = Math.min(w, w + dx);
                        System.arraycopy(f, src + (y - dy) * w + (x0 - dx), out, dst + y * w + x0, x1 - x0);
                    }
                }
            }
        }
        return HostBuffer.floats(out, new long[] {t, n, c, h, w});
    }

    private static SplittableRandom epochRandom(long seed, int epoch) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L * (epoch + 1));
    }

    private static int[] permutation(int n, SplittableRandom rng) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = p[i];
            p[i] = p[j];
            p[j] = tmp;
        }
        return p;
    }

    /**
     * Writes weights, BN buffers, optimizer state, epoch, step and random state (seed + epoch)
     * to a safetensors checkpoint, plus {@code extraMetadata} (e.g. the framing spec).
     */
    public void writeCheckpoint(Path file, Map<String, String> extraMetadata) throws IOException {
        SafeTensorsWriter w = new SafeTensorsWriter();
        w.metadata(extraMetadata);
        w.metadata("checkpoint", "spikestream training checkpoint");
        w.metadata("card", net.card().toJson());
        w.metadata("config", config.toJson());
        w.metadata("dtype", net.dataType().name());
        w.metadata("epochs_done", Integer.toString(epochsDone));
        w.metadata("step", Long.toString(step));
        w.metadata("steps_per_epoch", Integer.toString(stepsPerEpoch));
        w.metadata("optimizer", optimizer.name());
        w.metadata("rng", "{\"algorithm\":\"SplittableRandom per epoch from (seed, epoch)\",\"seed\":" + config.seed()
                + ",\"next_epoch\":" + epochsDone + "}");
        net.parameters().stateDict().forEach((k, v) -> w.add(MODEL + k, v));
        optimizer.state().forEach((k, v) -> w.add(OPTIM + k, v));
        w.write(file);
    }

    /** Restores a trainer from {@link #writeCheckpoint}; it continues with the next epoch. */
    public static Trainer resume(Path file) throws IOException {
        SafeTensors st = SafeTensors.open(file);
        Map<String, String> meta = st.metadata();
        for (String key : new String[] {"card", "config", "dtype", "epochs_done", "step", "steps_per_epoch"}) {
            if (!meta.containsKey(key)) {
                throw new IOException(file + ": not a training checkpoint (no \"" + key + "\" in __metadata__)");
            }
        }
        try {
            ModelCard card = ModelCard.parse(meta.get("card"));
            TrainingConfig config = TrainingConfig.fromJson(meta.get("config"));
            DataType dt = DataType.valueOf(meta.get("dtype"));
            Trainer t = new Trainer(new SpikingResNet(card, SpikingResNet.Variant.MEMBRANE_SHORTCUT, dt), config,
                    Integer.parseInt(meta.get("steps_per_epoch")));
            Map<String, INDArray> model = new LinkedHashMap<>();
            Map<String, INDArray> optim = new LinkedHashMap<>();
            for (TensorInfo info : st.tensors().values()) {
                DataType type = info.dtype() == DType.I64 ? DataType.LONG : dt;
                if (info.name().startsWith(MODEL)) {
                    model.put(info.name().substring(MODEL.length()), st.array(info.name(), type));
                } else if (info.name().startsWith(OPTIM)) {
                    optim.put(info.name().substring(OPTIM.length()), st.array(info.name(), type));
                }
            }
            t.net.parameters().load(model);
            t.optimizer.loadState(optim, t.net.parameters().parameters());
            t.epochsDone = Integer.parseInt(meta.get("epochs_done"));
            t.step = Long.parseLong(meta.get("step"));
            return t;
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }
}
