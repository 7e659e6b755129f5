package dev.badnets.onnx;

import dev.badnets.core.ModelReader;
import dev.badnets.core.Network;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@link ModelReader} service of this module: with {@code badnets-onnx} on the class path,
 * {@link dev.badnets.core.ModelFiles#load(Path)} reads ONNX files, recognised by their first bytes
 * (a protobuf {@code ModelProto} starts with its IR version, field 1).
 */
public final class OnnxModelReader implements ModelReader {

    @Override
    public String format() {
        return "ONNX";
    }

    @Override
    public boolean recognizes(byte[] head) {
        return OnnxReader.recognizes(head);
    }

    /** Reads the file as {@link OnnxReader#read(Path)} does; messages start with the file's path. */
    @Override
    public Network read(Path file) throws IOException {
        try {
            return OnnxReader.read(file).network();
        } catch (OnnxFormatException e) {
            OnnxFormatException named = new OnnxFormatException(file + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }
}
