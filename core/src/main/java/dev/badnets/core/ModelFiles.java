package dev.badnets.core;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ServiceLoader;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Model files by path, in the {@link ModelCodec} format:
 *
 * <pre>
 *   ModelFiles.save(net, Path.of("model.bin"));
 *   Network net = ModelFiles.load(Path.of("model.bin"));
 * </pre>
 *
 * {@link #save} never leaves a half-written model: it writes a temporary file in the same folder,
 * forces it to disk, then renames it over the target in one atomic step, so a reader (or a crash)
 * sees the old file or the new one, never a mix. {@link #load} reads exactly one model and refuses
 * a file that goes on after it; a file in another format (ONNX, say) is read by the first
 * {@link ModelReader} on the class path that recognises its first bytes. For streams, use
 * {@link ModelCodec} directly.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * Writes {@code net} to {@code file}, creating its folder if needed and replacing any file
     * there, whole or not at all. The file gets the usual permissions of a new file (the umask
     * applies).
     *
     * @throws IOException              if the folder cannot be written or the file system cannot rename
     *                                  atomically (the target is then left as it was)
     * @throws IllegalArgumentException if {@code file} is the root, or a device, FIFO or socket (which the
     *                                  rename would replace)
     */
    public static void save(Network net, Path file) throws IOException {
        Path target = file.toAbsolutePath();
        if (target.getParent() == null) {
            throw new IllegalArgumentException("cannot save a model as " + file + ", the root folder; name a file,"
                    + " e.g. model.bin");
        }
        if (Files.exists(target) && !Files.isRegularFile(target) && !Files.isDirectory(target)) {
            throw new IllegalArgumentException("cannot save a model as " + file + ": it is a device, FIFO or socket,"
                    + " which the rename would replace; name a regular file");
        }
        Files.createDirectories(target.getParent());
        // a fresh name beside the target: the rename stays on one file system, and two savers never collide
        Path tmp = target.resolveSibling("." + target.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16)) {
                ModelCodec.write(net, out);
                out.flush();
                channel.force(true); // the rename must not publish bytes that are still only in the page cache
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads the model in {@code file}, which must hold exactly one model (as {@link #save} writes),
     * or a model in a format that a {@link ModelReader} on the class path recognises by content.
     *
     * @throws NoSuchFileException  if there is no file at {@code file}
     * @throws FileSystemException  if {@code file} is not a regular file (a folder, say)
     * @throws ModelFormatException if the bytes are not a valid model, or go on after its checksum;
     *                              the message starts with the file's path
     */
    public static Network load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no model file there");
        }
        if (!Files.isRegularFile(file)) {
            throw new FileSystemException(file.toString(), null, "not a regular file, so not a model file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(ModelReader.HEAD_BYTES);
        }
        if (!startsWithMagic(head)) {
            for (ModelReader reader : ServiceLoader.load(ModelReader.class, ModelFiles.class.getClassLoader())) {
                if (reader.recognizes(head)) {
                    return reader.read(file);
                }
            }
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            Network net = ModelCodec.read(in);
            if (in.read() != -1) {
                throw new ModelFormatException("the file goes on after the model's checksum");
            }
            return net;
        } catch (ModelFormatException e) {
            ModelFormatException named = new ModelFormatException(file + ": " + e.getMessage());
            named.initCause(e);
            throw named;
        }
    }

    private static boolean startsWithMagic(byte[] head) {
        return head.length >= ModelCodec.MAGIC.length
                && java.util.Arrays.equals(head, 0, ModelCodec.MAGIC.length, ModelCodec.MAGIC, 0, ModelCodec.MAGIC.length);
    }
}
