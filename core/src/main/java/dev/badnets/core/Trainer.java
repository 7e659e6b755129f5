package dev.badnets.core;

import dev.badnets.core.backend.Backends;
import dev.badnets.core.backend.MatrixBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * Mini-batch training. Each epoch shuffles the sample order (Fisher-Yates, from a generator seeded
 * with {@link TrainingConfig#seed()}) and runs one {@link #step} per batch: gather the batch,
 * forward, loss and its gradient, backward, optimiser update. The update's learning rate is the
 * config's {@link LearningRateSchedule} at this trainer's step count t, over T = epochs × batches
 * per epoch steps.
 *
 * <p>Every per-batch matrix, the gradients and the optimiser state are allocated once, in the
 * constructor; a step allocates nothing. The same network, data and config give bit-identical
 * weights whatever the thread count: threads split the work of a step by rows and index ranges,
 * never a sum.
 *
 * <p>Most callers need only {@link #train}; a {@code Trainer} object runs single steps (for
 * benchmarks and custom loops).
 */
public final class Trainer {

    private final Network net;
    private final TrainingConfig config;
    private final MatrixBackend backend;
    private final BatchBuffers buf;
    private final Optimizer optimizer;
    private int lastCorrect;
    private long stepsTaken;

    /** A trainer of {@code net} (trained in place) on the backend named in {@code config}. */
    public Trainer(Network net, TrainingConfig config) {
        this(net, config, Backends.create(config.backend(), config.threads()));
    }

    /**
     * A trainer of {@code net} (trained in place) on the given backend.
     *
     * @throws IllegalArgumentException when a batch's buffers ({@code batch x} {@link Network#floatsPerSample
     *                                  floats per sample}) would not fit in the heap Java may use: refused
     *                                  before they are allocated
     */
    public Trainer(Network net, TrainingConfig config, MatrixBackend backend) {
        this.net = net;
        this.config = config;
        this.backend = backend;
        long bytes = (long) config.batchSize() * net.floatsPerSample(true) * Float.BYTES;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap) {
            throw new IllegalArgumentException("training this network in batches of " + config.batchSize() + " needs "
                    + (bytes >> 20) + " MB of buffers, more than the " + (heap >> 20) + " MB Java may use; use a"
                    + " smaller batch or fewer or smaller layers, or give Java more heap");
        }
        this.buf = new BatchBuffers(net, backend, config.batchSize(), true);
        this.optimizer = Optimizer.forNetwork(config.optimizer(), config.learningRate(), config.weightDecay(),
                net, buf).splitAcross(backend);
    }

    /**
     * Trains {@code net} in place on {@code data} for {@code config.epochs()} epochs.
     *
     * @param listener told of every batch and epoch; may be null
     * @throws IllegalArgumentException if the data does not fit the network (input width, labels)
     * @throws ArithmeticException      if the loss becomes NaN or infinite (naming epoch and batch), or a
     *                                  parameter does by the end of an epoch
     */
    public static TrainingResult train(Network net, Samples data, TrainingConfig config, TrainingListener listener) {
        return new Trainer(net, config).fit(data, listener);
    }

    /** Runs all the epochs of the config; see {@link #train}. */
    public TrainingResult fit(Samples data, TrainingListener listener) {
        checkData(net, data);
        TrainingListener observer = listener == null ? TrainingListener.NONE : listener;
        int n = data.size();
        int batchSize = config.batchSize();
        int batches = (n + batchSize - 1) / batchSize;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        List<EpochReport> reports = new ArrayList<>();
        long start = System.nanoTime();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            long epochStart = System.nanoTime();
            shuffle(order, shuffler);
            double lossSum = 0;
            long correct = 0;
            for (int batch = 0; batch < batches; batch++) {
                int from = batch * batchSize;
                int count = Math.min(batchSize, n - from);
                double loss = step(data, order, from, count);
                if (!Double.isFinite(loss)) {
                    throw new ArithmeticException("loss became " + (Double.isNaN(loss) ? "NaN" : "infinite")
                            + " at epoch " + epoch + ", batch " + (batch + 1) + ": lower the learning rate (now "
                            + config.learningRate() + ") or check the inputs for NaN or huge values");
                }
                lossSum += loss * count;
                correct += lastCorrect;
                observer.onBatch(epoch, batch + 1, batches, loss, (double) correct / (from + count));
            }
            checkParametersFinite(epoch);
            EpochReport report = new EpochReport(epoch, lossSum / n, (double) correct / n,
                    (System.nanoTime() - epochStart) / 1e9);
            reports.add(report);
            observer.onEpoch(report);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new TrainingResult(reports, seconds, (double) n * config.epochs() / seconds,
                backend.name(), backend.threads());
    }

    /**
     * One training step on samples {@code order[from .. from+count)} of {@code data} (or samples
     * {@code from .. from+count)} when order is null): forward, loss, backward and, if the loss is
     * finite, one optimiser update at the scheduled learning rate of this trainer's next step (T
     * counts {@code config.epochs()} passes over {@code data}). Allocates nothing.
     *
     * @param count at most the configured batch size
     * @return the batch's mean loss
     */
    public double step(Samples data, int[] order, int from, int count) {
        if (count < 1 || count > buf.capacity) {
            throw new IllegalArgumentException("batch count must be in [1, " + buf.capacity + "], got " + count);
        }
        net.checkInput(data.inputShape());
        buf.gather(data, order, from, count, true);
        int classes = net.classes();
        for (int i = 0; i < count; i++) {
            if (buf.labels[i] < 0 || buf.labels[i] >= classes) {
                throw new IllegalArgumentException(labelMessage(buf.labels[i], order == null ? from + i
                        : order[from + i], classes));
            }
        }
        FMatrixRMaj output = net.forward(buf);
        lastCorrect = countCorrect(output, buf.labels);
        double loss = net.loss().lossAndGradient(output, buf.labels, buf.last().outputGradient());
        if (Double.isFinite(loss)) {
            net.backward(buf);
            long totalSteps = (long) config.epochs() * ((data.size() + config.batchSize() - 1) / config.batchSize());
            optimizer.step(config.learningRateSchedule().rate(config.learningRate(), stepsTaken, totalSteps));
            stepsTaken++;
        }
        return loss;
    }

    /**
     * Fails if a parameter became NaN or infinite: the last update of an epoch can overflow after
     * a finite loss, and a network with such a weight answers every input the same way.
     */
    private void checkParametersFinite(int epoch) {
        for (int l = 0; l < net.layerCount(); l++) {
            for (Layer.Parameter p : net.layer(l).parameters()) {
                float[] v = p.value().data;
                for (int i = 0, size = p.value().getNumElements(); i < size; i++) {
                    if (!Float.isFinite(v[i])) {
                        throw new ArithmeticException("parameter " + p.name() + " of layer " + l + " ("
                                + net.layer(l).spec() + ") became " + (Float.isNaN(v[i]) ? "NaN" : "infinite")
                                + " by the end of epoch " + epoch + ": lower the learning rate (now "
                                + config.learningRate() + ") or check the inputs for huge values");
                    }
                }
            }
        }
    }

    /** The backend this trainer runs on. */
    public MatrixBackend backend() {
        return backend;
    }

    private static int countCorrect(FMatrixRMaj output, int[] labels) {
        int correct = 0;
        for (int row = 0; row < output.numRows; row++) {
            if (Evaluator.argmax(output.data, row * output.numCols, output.numCols) == labels[row]) {
                correct++;
            }
        }
        return correct;
    }

    /**
     * The shuffle of every epoch (Fisher-Yates): puts {@code order} in a random order drawn from
     * {@code random}, in place. Public so that training loops of their own (a defense's distillation,
     * say) visit the samples as this trainer does.
     */
    public static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Fails with a message naming expected and actual if {@code data} cannot feed {@code net}. */
    static void checkData(Network net, Samples data) {
        net.checkInput(data.inputShape());
        if (data.size() < 1) {
            throw new IllegalArgumentException("the data set is empty: expected at least 1 sample");
        }
        if (data.classes() > net.classes()) {
            throw new IllegalArgumentException("the network has " + net.classes() + " outputs but the data has "
                    + data.classes() + " classes: build the network with " + data.classes() + " classes");
        }
        for (int i = 0, n = data.size(); i < n; i++) {
            int label = data.label(i);
            if (label < 0 || label >= net.classes()) {
                throw new IllegalArgumentException(labelMessage(label, i, net.classes()));
            }
        }
    }

    private static String labelMessage(int label, int index, int classes) {
        return "label " + label + " of sample " + index + " is out of range: expected 0 to " + (classes - 1);
    }
}
