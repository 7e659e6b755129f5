package dev.badnets.cli.data;

import dev.badnets.cli.BadnetsCli;
import dev.badnets.cli.Errors;

import dev.badnets.mnist.IdxFormatException;
import dev.badnets.mnist.IdxSummary;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code badnets inspect FILE...}: describes IDX files; exit 2 when any is malformed. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = {"Describe IDX files (raw or gzip): element type, rank, dimensions, item count, "
                + "and for 3-D unsigned byte files the pixel mean and standard deviation on the 0-1 scale.",
                "Exit status 2 when any file is malformed, after describing the valid ones."})
public final class InspectCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "IDX files to describe.")
    List<Path> files;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int status = 0;
        for (Path file : files) {
            try {
                out.println(file + ": " + IdxSummary.read(file).describe());
            } catch (IdxFormatException e) {
                err.println(Errors.oneLine(e));
                status = BadnetsCli.EXIT_USAGE;
            }
            out.flush();
            err.flush();
        }
        return status;
    }

}
