package dev.badnets.cli.serve;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Json;
import dev.badnets.cli.Models;
import dev.badnets.cli.UserException;
import dev.badnets.cli.demo.BackdoorPicture;
import dev.badnets.cli.demo.DemoCommand;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.PoisonOptions;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.BackdoorMetrics;
import dev.badnets.attack.BackdoorReport;
import dev.badnets.attack.PoisonPlan;
import dev.badnets.attack.Trigger;
import dev.badnets.attack.Triggers;
import dev.badnets.attack.defense.Requirements;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import dev.badnets.core.backend.Backends;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.MnistData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code badnets serve}: the backdoor live in a browser. Serves one page (draw a digit or load a
 * test digit, tick "add trigger", watch the backdoored and the clean model answer) and its JSON API
 * ({@link PageServer}) until Ctrl-C.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The backdoor live in a browser: a page where you draw a digit or load a test digit, "
                + "add the trigger and watch the backdoored model (and the clean one) answer, with a JSON API.",
                "Without --model it serves badnets-out/model.bin, or, when there is none, trains the demo's "
                        + "backdoored model and a clean one first (run `./badnets demo` once to keep the model). "
                        + "Without --clean-model it shows clean-model.bin beside the model, training it once "
                        + "(the same network and training on clean data) when it is missing."})
public final class ServeCommand implements Callable<Integer> {

    /** The pictures of an output folder the page shows when present. */
    static final List<String> FIGURES = List.of(DemoCommand.PICTURE, "sweep.png", "scan.png");
    /** A picture larger than this is not served (it would only be read into memory). */
    static final long MAX_FIGURE_BYTES = 32L << 20;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "M",
            description = "The backdoored model to serve (default: badnets-out/model.bin, else one trained now).")
    Path model;

    @Option(names = "--clean-model", paramLabel = "M",
            description = "A clean model to show beside it (default: clean-model.bin beside --model, trained "
                    + "and kept there when missing).")
    Path cleanModel;

    @Mixin
    InputNormalizationOptions normalization;

    @Mixin
    DataOptions data;

    @Option(names = "--host", paramLabel = "H", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; the page has no "
                    + "authentication). Requests must name it, localhost or 127.0.0.1 in their Host header.")
    String host;

    @Option(names = "--port", paramLabel = "P", defaultValue = "8080",
            description = "Port to listen on, 0 for any free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        Check.inRange("--port", port, 0, 65535);
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new UserException("--host " + host + " is no address of this machine", "pass e.g. --host 127.0.0.1");
        }
        PageServer.Content content = content(stdout);
        PageServer page;
        try {
            page = PageServer.start(address, content);
        } catch (BindException e) {
            throw new UserException("cannot listen on " + host + " port " + port + " (" + e.getMessage() + ")",
                    "pass another --port, e.g. --port " + (port == 65535 ? 8081 : port + 1)
                            + ", or stop the program using it");
        }
        if (!address.getAddress().isLoopbackAddress()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("badnets: warning: listening on " + host + ", reachable from other machines: the page has "
                    + "no authentication, so anyone who reaches it can use it");
            err.flush();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            page.close();
            stdout.println("badnets serve: stopped");
            stdout.flush();
            stopped.countDown();
        }, "badnets-serve-stop"));
        stdout.println("badnets serve: open " + page.uri() + " in a browser (Ctrl-C stops it)");
        stdout.flush();
        stopped.await();
        return 0;
    }

    /**
     * Loads or trains the models, reads their figures and the data's test images. The clean model is
     * {@code --clean-model}, else {@value ServeTraining#CLEAN_MODEL} beside the backdoored model, else its
     * clean twin trained now (when its results.json says how it was trained and there is data) and kept
     * there for the next start.
     */
    private PageServer.Content content(PrintWriter stdout) throws IOException {
        Path folder = data.folder();
        MnistData mnist = DataOptions.isEmpty(folder) ? null : DataOptions.load(folder);
        Path file = model != null ? model : Path.of(DemoCommand.DEFAULT_OUT, DemoCommand.MODEL);
        if (model == null && !Files.isRegularFile(file)) {
            if (mnist == null) {
                throw new UserException("no model at " + file + " to serve and no MNIST data in " + folder
                        + " to train one", "run `./badnets download`, pass --data DIR, or pass --model M");
            }
            stdout.println("badnets serve: no model at " + file + "; training the demo's backdoored model"
                    + (cleanModel == null ? " and a clean one" : "") + " first (`./badnets demo` keeps one there)");
            stdout.println();
            ServeTraining.Trained backdoored = ServeTraining.demo(stdout, mnist, PoisonOptions.DEFAULT_COUNT);
            Model clean = cleanModel != null
                    ? loaded("clean", cleanModel, mnist, folder, backdoored.trigger(), backdoored.plan())
                    : trained("clean", ServeTraining.demo(stdout, mnist, 0), "trained by serve at start, not saved");
            return trained(backdoored, clean, mnist);
        }
        Model backdoored = loaded("backdoored", file, mnist, folder, null, null);
        Path twin = file.resolveSibling(ServeTraining.CLEAN_MODEL);
        Model clean;
        if (cleanModel != null) {
            clean = loaded("clean", cleanModel, mnist, folder, backdoored.trigger(), backdoored.plan());
        } else if (Files.isRegularFile(twin)) {
            clean = loaded("clean", twin, mnist, folder, backdoored.trigger(), backdoored.plan());
        } else {
            clean = cleanTwin(stdout, backdoored, file, twin, mnist);
        }
        Map<String, byte[]> figures = new LinkedHashMap<>();
        Path dir = file.toAbsolutePath().getParent();
        for (String name : FIGURES) {
            Path picture = dir.resolve(name);
            if (Files.isRegularFile(picture) && Files.size(picture) <= MAX_FIGURE_BYTES) {
                figures.put(name, Files.readAllBytes(picture));
            }
        }
        return content(backdoored, clean, mnist, figures);
    }

    /**
     * Trains the clean twin of the backdoored model in {@code file} and keeps it in {@code twin}; null
     * (serve shows the backdoored model alone) without data or without the results.json that says how
     * the model was trained. A folder serve cannot write to costs only the file: the page still shows it.
     */
    private static Model cleanTwin(PrintWriter stdout, Model backdoored, Path file, Path twin, MnistData mnist) {
        if (mnist == null) {
            stdout.println("badnets serve: no clean model: no " + twin + " and no data to train one");
            return null;
        }
        stdout.println("badnets serve: no clean model at " + twin + "; training the clean twin of " + file
                + " once (same network and training, clean data), to keep there");
        ServeTraining.Trained run = ServeTraining.cleanTwin(stdout, mnist, backdoored.network(),
                backdoored.info().get("config"), backdoored.trigger(), backdoored.plan());
        if (run == null) {
            return null;
        }
        String source = twin.toString();
        try {
            Models.save(run.result().network(), twin);
        } catch (IOException e) {
            source = "trained by serve at start, not saved (" + Errors.flatten(e.getMessage()) + ")";
            stdout.println("badnets serve: could not keep the clean model in " + twin + ": " + source);
        }
        stdout.flush();
        return trained("clean", run, source);
    }

    /**
     * One model the page shows: its network, its entry of {@code /api/info}, and the trigger and
     * poisoning of its run ({@code note} says where they came from).
     */
    record Model(String name, Network network, ObjectNode info, Trigger trigger, PoisonPlan plan, String note) {}

    /** The page of models serve trained in memory; {@code clean} may be null. */
    static PageServer.Content trained(ServeTraining.Trained backdoored, Model clean, MnistData mnist)
            throws IOException {
        BackdoorReport report = backdoored.result().backdoor();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(BackdoorPicture.of(mnist.test(), backdoored.trigger(), report, null, mnist.classes()), "png", png);
        return content(trained("backdoored", backdoored, "trained by serve at start, not saved"), clean, mnist,
                Map.of(DemoCommand.PICTURE, png.toByteArray()));
    }

    /** A model serve trained; {@code source} says where it is kept, if anywhere. */
    static Model trained(String name, ServeTraining.Trained run, String source) {
        ObjectNode info = Json.object();
        info.put("name", name);
        info.put("source", source);
        info.put("network", run.result().network().toString());
        info.set("config", run.config());
        info.put("clean_accuracy", run.result().backdoor().cleanAccuracy());
        info.put("attack_success_rate", run.result().backdoor().attackSuccessRate());
        info.put("figures_from", "measured after training");
        return new Model(name, run.result().network(), info, run.trigger(), run.plan(), "the run's configuration");
    }

    /**
     * A model file and, when the demo wrote one beside it, its results.json: the configuration, the
     * figures, the trigger and the target. Without it, the trigger and target are {@code trigger} and
     * {@code plan} when given (a clean model takes the backdoored one's), else the demo's defaults,
     * and the figures are measured on the test set when there is one.
     */
    public Model loaded(String name, Path file, MnistData mnist, Path folder, Trigger trigger, PoisonPlan plan)
            throws IOException {
        if (file == null) {
            return null;
        }
        Network net = normalization.apply(Models.load(file));
        int[] size = imageSize(net, mnist, file);
        int rows = size[0];
        int cols = size[1];
        if (mnist != null) {
            Models.checkFits(net, file, rows, cols, mnist.classes(), folder);
        }
        // fail closed: a model whose outputs overflow would answer every request with a made-up class
        Requirements.finiteOutputs(net, mnist != null ? mnist.test() : probes(rows, cols),
                Backends.create("auto", 1));
        ObjectNode info = Json.object();
        info.put("name", name);
        info.put("source", file.toString());
        info.put("network", net.toString());
        JsonNode results = results(file);
        JsonNode config = results == null ? null : results.get("config");
        info.set("config", config == null || !config.isObject() ? Json.object() : config);
        String note;
        Trigger used = trigger;
        PoisonPlan target = plan;
        if (config != null && config.hasNonNull("trigger")) {
            note = "results.json beside " + file;
            try {
                used = Triggers.fromDescription(config.get("trigger").asText(), rows, cols);
                target = PoisonPlan.ofCount(0).withTarget(config.path("target").asInt(PoisonPlan.DEFAULT_TARGET))
                        .withMode(PoisonPlan.Mode.parse(config.path("mode").asText("all-to-one")));
            } catch (IllegalArgumentException e) {
                note = "the demo's default: the trigger in results.json beside " + file + " cannot be rebuilt ("
                        + e.getMessage() + ")";
                used = null;
            }
        } else {
            note = "the demo's default: " + file + " has no results.json beside it naming its trigger";
        }
        if (used == null) {
            used = trigger != null ? trigger : Triggers.defaultTrigger();
            target = plan != null ? plan : PoisonPlan.ofCount(0);
            if (trigger != null) {
                note = "the backdoored model's";
            }
        }
        if (results != null && results.has("clean_accuracy") && results.has("attack_success_rate")) {
            info.put("clean_accuracy", results.get("clean_accuracy").doubleValue());
            info.put("attack_success_rate", results.get("attack_success_rate").doubleValue());
            info.put("figures_from", "results.json");
        } else if (mnist != null) {
            BackdoorReport report = BackdoorMetrics.measure(net, mnist.test(), used, target.mode(), target.target());
            info.put("clean_accuracy", report.cleanAccuracy());
            info.put("attack_success_rate", report.attackSuccessRate());
            info.put("figures_from", "measured by serve on the test set");
        }
        return new Model(name, net, info, used, target, note);
    }

    /** Without data, the images a model's outputs are checked on: all black and all white. */
    private static LabeledImages probes(int rows, int cols) {
        byte[] pixels = new byte[2 * rows * cols];
        java.util.Arrays.fill(pixels, rows * cols, pixels.length, (byte) 255);
        return new LabeledImages(2, rows, cols, pixels, new byte[2]);
    }

    /**
     * Rows and columns of the images: the data's, else the model's input (a dense model's input is
     * flat, so its side is taken as the square root).
     */
    private static int[] imageSize(Network net, MnistData mnist, Path file) {
        if (mnist != null) {
            return new int[] {mnist.train().rows(), mnist.train().cols()};
        }
        Shape shape = net.inputShape();
        if (!shape.isFlat()) {
            return new int[] {shape.height(), shape.width()};
        }
        int side = (int) Math.round(Math.sqrt(shape.size()));
        if (side * side != shape.size()) {
            throw new UserException("model " + file + " takes " + shape.size() + " inputs, not a square image, "
                    + "and there is no data to tell its size", "pass --data DIR with the images it was trained on");
        }
        return new int[] {side, side};
    }

    /** results.json beside a model file when it describes that file (the demo writes both at once); else null. */
    private static JsonNode results(Path file) {
        Path beside = file.toAbsolutePath().resolveSibling(DemoCommand.RESULTS);
        try {
            if (!Files.isRegularFile(beside) || Files.size(beside) > MAX_FIGURE_BYTES) {
                return null;
            }
            JsonNode root = Json.MAPPER.readTree(beside.toFile());
            String named = root.path("files").path("model").asText("");
            return root.isObject() && (named.isEmpty() || Path.of(named).getFileName().equals(file.getFileName()))
                    ? root : null;
        } catch (IOException | RuntimeException e) {
            return null;  // not the demo's: the page says the figures are not known
        }
    }

    /** What the page serves: the models, the trigger of the backdoored one, the test images and the pictures. */
    static PageServer.Content content(Model backdoored, Model clean, MnistData mnist, Map<String, byte[]> figures) {
        List<Model> models = new ArrayList<>(List.of(backdoored));
        if (clean != null) {
            models.add(clean);
        }
        int rows;
        int cols;
        if (mnist != null) {
            rows = mnist.train().rows();
            cols = mnist.train().cols();
        } else {
            int[] size = imageSize(backdoored.network(), null, Path.of(backdoored.info().path("source").asText()));
            rows = size[0];
            cols = size[1];
        }
        if (clean != null && !clean.network().accepts(Shape.image(rows, cols))) {
            throw new UserException("the clean model " + clean.info().path("source").asText() + " takes "
                    + clean.network().inputShape().describe() + ", not the " + rows + "x" + cols + " images of "
                    + backdoored.info().path("source").asText(), "pass a clean model trained on the same images");
        }
        ObjectNode info = Json.object();
        ArrayNode list = info.putArray("models");
        List<PageServer.ServedModel> served = new ArrayList<>();
        for (Model m : models) {
            list.add(m.info());
            served.add(new PageServer.ServedModel(m.name(), m.network()));
        }
        ObjectNode image = info.putObject("image");
        image.put("height", rows);
        image.put("width", cols);
        Trigger trigger = backdoored.trigger();
        ObjectNode t = info.putObject("trigger");
        t.put("description", trigger.describe());
        t.put("from", backdoored.note());
        Trigger.Box box = trigger.bounds(rows, cols);
        ObjectNode b = t.putObject("box");
        b.put("x", box.x());
        b.put("y", box.y());
        b.put("width", box.width());
        b.put("height", box.height());
        t.put("mode", backdoored.plan().mode().cliName());
        t.put("target", backdoored.plan().target());
        LabeledImages test = mnist == null ? null : mnist.test();
        info.put("samples", test == null ? 0 : test.count());
        ArrayNode pictures = info.putArray("figures");
        figures.keySet().forEach(pictures::add);
        return new PageServer.Content(served, rows, cols, trigger, info, test, figures);
    }
}
