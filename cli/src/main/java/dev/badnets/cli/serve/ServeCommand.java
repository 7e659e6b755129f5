package dev.badnets.cli.serve;

import dev.badnets.cli.Check;
import dev.badnets.cli.Errors;
import dev.badnets.cli.Models;
import dev.badnets.cli.UserException;
import dev.badnets.cli.demo.DemoCommand;
import dev.badnets.cli.options.DataOptions;
import dev.badnets.cli.options.InputNormalizationOptions;
import dev.badnets.cli.options.PoisonOptions;

import dev.badnets.mnist.MnistData;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
            ServedModels.Model clean = cleanModel != null
                    ? ServedModels.loaded("clean", cleanModel, mnist, folder, backdoored.trigger(), backdoored.plan(),
                            normalization)
                    : ServedModels.trained("clean", ServeTraining.demo(stdout, mnist, 0), "trained by serve at start, not saved");
            return ServedModels.trained(backdoored, clean, mnist);
        }
        ServedModels.Model backdoored = ServedModels.loaded("backdoored", file, mnist, folder, null, null, normalization);
        Path twin = file.resolveSibling(ServeTraining.CLEAN_MODEL);
        ServedModels.Model clean;
        if (cleanModel != null) {
            clean = ServedModels.loaded("clean", cleanModel, mnist, folder, backdoored.trigger(), backdoored.plan(),
                    normalization);
        } else if (Files.isRegularFile(twin)) {
            clean = ServedModels.loaded("clean", twin, mnist, folder, backdoored.trigger(), backdoored.plan(),
                    normalization);
        } else {
            clean = cleanTwin(stdout, backdoored, file, twin, mnist);
        }
        Map<String, byte[]> figures = new LinkedHashMap<>();
        Path dir = file.toAbsolutePath().getParent();
        for (String name : FIGURES) {
            Path picture = dir.resolve(name);
            if (Files.isRegularFile(picture) && Files.size(picture) <= ServedModels.MAX_FIGURE_BYTES) {
                figures.put(name, Files.readAllBytes(picture));
            }
        }
        return ServedModels.content(backdoored, clean, mnist, figures);
    }

    /**
     * Trains the clean twin of the backdoored model in {@code file} and keeps it in {@code twin}; null
     * (serve shows the backdoored model alone) without data or without the results.json that says how
     * the model was trained. A folder serve cannot write to costs only the file: the page still shows it.
     */
    private static ServedModels.Model cleanTwin(PrintWriter stdout, ServedModels.Model backdoored, Path file,
                                                Path twin, MnistData mnist) {
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
        return ServedModels.trained("clean", run, source);
    }
}
