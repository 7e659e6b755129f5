package dev.badnets.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A reader of model files in a format other than this project's own (BDNT), which
 * {@link ModelFiles#load(Path)} finds with {@link java.util.ServiceLoader} and asks, in turn,
 * whether it recognises a file by its first bytes.
 *
 * <p>Why a service rather than a check in the command line: every caller of
 * {@code ModelFiles.load} (the CLI's commands, the attack module's defenses, an embedder) then reads
 * every format the class path offers, by content and not by file name, while core itself depends
 * on no parser: a module such as {@code badnets-onnx} implements this interface and lists its class
 * in {@code META-INF/services/dev.badnets.core.ModelReader}; an application that leaves the module
 * out reads BDNT files only and pulls in none of its dependencies.
 */
public interface ModelReader {

    /** How many first bytes of a file {@link #recognizes} is shown (fewer if the file is shorter). */
    int HEAD_BYTES = 16;

    /** The format's name for messages, e.g. {@code "ONNX"}. */
    String format();

    /** Whether a file starting with {@code head} (its first bytes, at most {@link #HEAD_BYTES}) is in this format. */
    boolean recognizes(byte[] head);

    /**
     * Reads the model in {@code file} as a network of this project's layers.
     *
     * @throws ModelFormatException with a one-line message if the file is not a valid model in this
     *                              format, or uses something the reader does not support
     * @throws IOException          if the file cannot be read
     */
    Network read(Path file) throws IOException;
}
