package dev.badnets.cli.options;

import dev.badnets.cli.Check;
import dev.badnets.cli.UserException;

import dev.badnets.core.Architecture;
import dev.badnets.core.DenseLayer;
import dev.badnets.core.LearningRateSchedule;
import dev.badnets.core.ModelPreset;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.core.OptimizerKind;
import dev.badnets.core.TrainingConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/** The network and training flags, spelled once for {@code train}, {@code demo}, {@code sweep} and {@code bench}. */
public final class NetworkOptions {

    /** The names --model accepts. */
    public static final List<String> MODELS = ModelPreset.names();

    @Option(names = "--model", paramLabel = "mlp|cnn|seed-cnn",
            description = "The network: cnn (" + Architecture.CNN + "; the default), seed-cnn (the OWASP notebook's "
                    + "SimpleCNN: " + Architecture.SEED_CNN + ") or mlp (dense, see --hidden).")
    String model;

    @Option(names = "--layers", paramLabel = "SPEC",
            description = "Any stack of hidden layers instead of --model, input side first, e.g. "
                    + Architecture.SEED_CNN + " (tokens: conv<filters>x<kernel>[s<stride>][p<padding>], "
                    + "pool<window>[s<stride>], dense<units>; the output layer is added).")
    public String layers;

    @Option(names = "--hidden", split = ",", paramLabel = "N",
            description = "Hidden layer sizes of --model mlp, input side first (default: 128); alone, it implies --model mlp.")
    int[] hidden;

    /** One number, except in {@code sweep}, where it is a grid axis (a comma list): picocli allows one {@code --epochs}. */
    @Option(names = "--epochs", paramLabel = "N", split = ",", hideParamSyntax = true,
            description = "Passes over the training set (default: 1 for cnn, "
                    + "seed-cnn and --layers, 5 for mlp; sweep takes a comma list, one model each).")
    public int[] epochs;

    /** The learning rate asked for, else the model's preset. */
    float lr() {
        return lr != null ? lr : preset().learningRate();
    }

    /** The schedule asked for, else the model's preset: cosine for the default CNN, constant otherwise. */
    LearningRateSchedule schedule() {
        return schedule != null ? LearningRateSchedule.parse(schedule) : preset().schedule();
    }

    /** The preset of the model asked for: its default epochs, learning rate and schedule. */
    ModelPreset preset() {
        return ModelPreset.named(modelName());
    }

    @Option(names = "--batch", paramLabel = "N", defaultValue = "64",
            description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", paramLabel = "RATE",
            description = "Learning rate (default: 0.002 for cnn, 0.001 otherwise).")
    Float lr;

    @Option(names = "--lr-schedule", paramLabel = "constant|cosine",
            description = "Learning rate over the run: constant, or cosine decay to 0 (default: cosine for cnn, "
                    + "constant otherwise).")
    String schedule;

    @Option(names = "--optimizer", paramLabel = "sgd|momentum|adam", defaultValue = "adam",
            description = "Optimiser: sgd, momentum or adam (default: ${DEFAULT-VALUE}).")
    public String optimizer;

    @Option(names = "--weight-decay", paramLabel = "L2", defaultValue = "0",
            description = "L2 weight decay: each weight's gradient gains L2 x the weight (biases are not "
                    + "decayed) (default: ${DEFAULT-VALUE}, none).")
    float weightDecay;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed for initial weights, shuffling and poisoning (default: ${DEFAULT-VALUE}).")
    public long seed;

    OptimizerKind optimizerKind() {
        String name = optimizer.trim().toUpperCase(Locale.ROOT);
        for (OptimizerKind kind : OptimizerKind.values()) {
            if (kind.name().equals(name)) {
                return kind;
            }
        }
        throw new UserException("unknown optimiser '" + optimizer + "'",
                "use --optimizer sgd, momentum or adam");
    }

    /** Checks every value, naming the flag and its valid range. */
    void validate() {
        Check.atLeast("--epochs", epochs(), 1);
        Check.atLeast("--batch", batch, 1);
        if (!(lr() > 0) || Float.isInfinite(lr())) {
            throw new UserException("--lr must be a positive number, got " + lr, "pass e.g. --lr 0.001");
        }
        if (model != null && layers != null) {
            throw new UserException("--model and --layers both name a network", "pass one of them");
        }
        if (hidden != null && !modelName().equals("mlp")) {
            throw new UserException("--hidden sets the layers of --model mlp, not of " + modelName(),
                    "add --model mlp, or describe the network with --layers");
        }
        if (hidden != null && hidden.length == 0) {
            throw new UserException("--hidden needs at least one layer size", "pass e.g. --hidden 128");
        }
        for (int h : hidden == null ? new int[0] : hidden) {
            Check.inRange("--hidden", h, 1, Architecture.MAX_SIZE);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new UserException("--weight-decay must be a finite number >= 0, got " + weightDecay,
                    "pass e.g. --weight-decay 0.0005, or leave it out for none");
        }
        optimizerKind();
        schedule();
    }

    public TrainingConfig config(BackendOptions run) {
        validate();
        return new TrainingConfig(epochs(), batch, lr(), schedule(), optimizerKind(), weightDecay, seed,
                run.threads(), run.backend);
    }

    /** "mlp", "cnn", "seed-cnn", or "custom" for --layers. */
    String modelName() {
        if (layers != null) {
            return "custom";
        }
        if (model == null && hidden != null) {
            return "mlp"; // --hidden alone asks for the dense network it sizes
        }
        String name = model == null ? ModelPreset.DEFAULT.cliName() : model.trim().toLowerCase(Locale.ROOT);
        if (!MODELS.contains(name)) {
            throw new UserException("unknown model '" + model + "'", "use --model mlp, cnn or seed-cnn, or --layers SPEC");
        }
        return name;
    }

    /** The hidden layers in the grammar of {@link Architecture}. */
    public String layerSpec() {
        String name = modelName();
        if (name.equals("custom")) {
            return layers;
        }
        if (name.equals("mlp") && hidden != null) {
            return Arrays.stream(hidden).mapToObj(h -> "dense" + h).collect(Collectors.joining(","));
        }
        return preset().layers();
    }

    /** The epochs asked for, else the model's default. */
    public int epochs() {
        if (epochs != null) {
            if (epochs.length != 1) {
                throw new UserException("--epochs takes one number here, got " + Arrays.stream(epochs)
                        .mapToObj(Integer::toString).collect(Collectors.joining(",")),
                        "pass e.g. --epochs 5 (sweep --epochs 1,2 trains one model per value)");
            }
            return epochs[0];
        }
        return preset().epochs();
    }

    /**
     * A copy of these flags for one point of a sweep grid: another model (null keeps --model), epochs
     * (null keeps --epochs) and seed.
     */
    public NetworkOptions with(String otherModel, Integer otherEpochs, long otherSeed) {
        NetworkOptions copy = new NetworkOptions();
        copy.model = otherModel == null ? model : otherModel;
        copy.layers = layers;
        copy.hidden = hidden;
        copy.epochs = otherEpochs == null ? epochs : new int[] {otherEpochs};
        copy.batch = batch;
        copy.lr = lr;
        copy.schedule = schedule;
        copy.optimizer = optimizer;
        copy.weightDecay = weightDecay;
        copy.seed = otherSeed;
        return copy;
    }

    /**
     * The freshly initialised network for images of {@code image} and {@code classes} classes;
     * exit 2 with the library's reason when the layers do not parse or do not fit the images.
     */
    public Network build(Shape image, int classes) {
        return build(image, classes, seed);
    }

    /** {@link #build(Shape, int)} with initial weights drawn from {@code initSeed} instead of {@code --seed}. */
    public Network build(Shape image, int classes, long initSeed) {
        validate();
        try {
            return Architecture.build(image, layerSpec(), classes, initSeed);
        } catch (IllegalArgumentException e) {
            throw new UserException(e.getMessage(), layers != null
                    ? "fix --layers (tokens: conv<filters>x<kernel>[s<stride>][p<padding>], pool<window>[s<stride>], "
                            + "dense<units>)"
                    : "pick smaller --hidden sizes");
        }
    }

    /** The network's part of a JSON configuration: model name, input shape and every layer. */
    public void putConfig(ObjectNode cfg, Network net) {
        cfg.put("model", modelName());
        cfg.put("input_shape", net.inputShape().toString());
        var list = cfg.putArray("layers");
        net.layers().forEach(l -> list.add(l.spec()));
        cfg.put("activation", "relu");
    }

    /** One line for reports, e.g. {@code 784-128-10 ReLU, adam lr 0.001, batch 64, 5 epochs, seed 1}. */
    public String describe(Network net, BackendOptions run) {
        return describe(net) + ", " + run.describe();
    }

    /**
     * The network and training only: {@code 784-128-10 ReLU, adam lr 0.001, batch 64, 5 epochs, seed 1}
     * for an MLP, {@code cnn conv16x3,pool2,conv32x3,pool2,dense128-10 ReLU, adam ...} otherwise.
     */
    public String describe(Network net) {
        String rate = schedule() == LearningRateSchedule.CONSTANT ? " lr " + lr()
                : " lr " + lr() + " " + schedule().cliName();
        return layers(net) + " ReLU, " + optimizer.toLowerCase(Locale.ROOT) + rate + ", batch " + batch
                + ", " + epochs() + (epochs() == 1 ? " epoch" : " epochs") + ", seed " + seed;
    }

    /** {@code 784-128-10} for a dense network, else the model's name and hidden layers. */
    public String layers(Network net) {
        boolean dense = net.layers().stream().allMatch(l -> l instanceof DenseLayer);
        if (dense) {
            StringBuilder sizes = new StringBuilder().append(net.inputWidth());
            net.layers().forEach(l -> sizes.append('-').append(l.outputShape().size()));
            return sizes.toString();
        }
        String name = modelName();
        return (name.equals("custom") ? "" : name + " ") + layerSpec() + "-" + net.classes();
    }
}
