package dev.badnets.cli;

import dev.badnets.cli.data.DownloadCommand;
import dev.badnets.cli.data.InspectCommand;
import dev.badnets.cli.data.PoisonCommand;
import dev.badnets.cli.demo.DemoCommand;
import dev.badnets.cli.scan.DetectCommand;
import dev.badnets.cli.scan.ScanCommand;
import dev.badnets.cli.scan.StripCommand;
import dev.badnets.cli.serve.ServeCommand;
import dev.badnets.cli.matrix.MatrixCommand;
import dev.badnets.cli.sweep.SweepCommand;
import dev.badnets.cli.train.BenchCommand;
import dev.badnets.cli.train.EvaluateCommand;
import dev.badnets.cli.train.ExportCommand;
import dev.badnets.cli.train.TrainCommand;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;

/**
 * The {@code badnets} command line. Exit status: 0 success, 1 a failure at run time, 2 bad input or
 * usage; an error is one line on stderr ({@code badnets: <problem>; <fix>}), with a stack trace
 * only under {@code --verbose}.
 */
@Command(name = "badnets",
        mixinStandardHelpOptions = true,
        versionProvider = BadnetsCli.Version.class,
        description = "A pure-Java backprop library and data-poisoning lab: the BadNets backdoor "
                + "attack (OWASP ML02:2023) on MNIST.",
        subcommands = {
                InspectCommand.class,
                DownloadCommand.class,
                TrainCommand.class,
                EvaluateCommand.class,
                PoisonCommand.class,
                DemoCommand.class,
                SweepCommand.class,
                MatrixCommand.class,
                BenchCommand.class,
                DetectCommand.class,
                ServeCommand.class,
                StripCommand.class,
                ScanCommand.class,
                ExportCommand.class,
                CommandLine.HelpCommand.class
        })
public final class BadnetsCli implements Runnable {

    /** Exit status for a failure at run time. */
    public static final int EXIT_RUNTIME = 1;
    /** Exit status for bad input or usage. */
    public static final int EXIT_USAGE = 2;

    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces with errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // the last guard: picocli lets Errors through, and a trace helps nobody here
            System.err.println(Errors.outOfMemory());
            status = EXIT_RUNTIME;
        }
        System.exit(status);
    }

    /** A command line with badnets' error handling, for {@link CommandLine#execute} (tests use this). */
    public static CommandLine commandLine() {
        BadnetsCli cli = new BadnetsCli();
        CommandLine cmd = new CommandLine(cli);
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
        cmd.setExecutionStrategy(parseResult -> {
            try {
                return run.execute(parseResult);
            } catch (OutOfMemoryError e) {
                // picocli handles exceptions only; an Error would escape as a stack trace
                report(cmd.getErr(), Errors.outOfMemory(), e, cli.verbose);
                return EXIT_RUNTIME;
            }
        });
        cmd.setExecutionExceptionHandler((ex, line, parseResult) -> {
            int status = Errors.status(ex);
            report(line.getErr(), Errors.oneLine(ex), ex, cli.verbose);
            return status;
        });
        cmd.setParameterExceptionHandler((ex, args) -> {
            CommandLine line = ex.getCommandLine();
            String where = line.getCommandSpec().qualifiedName(" ");
            report(line.getErr(), "badnets: " + Errors.flatten(ex.getMessage())
                    + "; see `" + where + " --help`", ex, cli.verbose);
            return EXIT_USAGE;
        });
        return cmd;
    }

    private static void report(PrintWriter err, String line, Throwable ex, boolean verbose) {
        err.println(line);
        if (verbose) {
            ex.printStackTrace(err);
        }
        err.flush();
    }

    /** Reads the version Maven wrote into {@code badnets-version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties properties = new Properties();
            try (InputStream in = BadnetsCli.class.getResourceAsStream("/badnets-version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            String version = properties.getProperty("version", "");
            if (version.isEmpty() || version.contains("${")) {
                version = "(development build)";   // resources not filtered by Maven
            }
            // picocli would expand "${...}" in these strings; nothing here needs it
            return new String[] {"badnets " + version.replace("${", "$${"),
                    "Java " + System.getProperty("java.version") + ", " + Runtime.version()};
        }
    }
}
