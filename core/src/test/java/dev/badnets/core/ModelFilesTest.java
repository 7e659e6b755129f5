package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {

    @TempDir
    Path dir;

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void savesAndLoadsByPathLeavingOnlyTheModel() throws IOException {
        Network net = Architecture.build(Shape.image(8, 8), "conv2x3,pool2,dense5", 3, 7);
        Path file = dir.resolve("sub/model.bin"); // the folder is created

        ModelFiles.save(net, file);
        Network loaded = ModelFiles.load(file);

        assertEquals(List.of("model.bin"), names(dir.resolve("sub")), "no temporary file is left behind");
        assertEquals(net.spec(), loaded.spec());
        float[] pixels = new float[30 * 64];
        java.util.Random random = new java.util.Random(2);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        Samples data = new ArraySamples(pixels, new int[30], Shape.image(8, 8), 3);
        assertArrayEquals(Evaluator.probabilities(net, data), Evaluator.probabilities(loaded, data));
        assertArrayEquals(ModelCodecTest.bytes(net), Files.readAllBytes(file), "the stream codec's bytes exactly");
    }

    @Test
    void replacesAnOldModelAndGetsTheUsualPermissions() throws IOException {
        Path file = dir.resolve("model.bin");
        Files.write(file, new byte[] {1, 2, 3});
        Network net = Network.mlp(4, new int[] {3}, 2, 1);
        ModelFiles.save(net, file);
        assertEquals(net.spec(), ModelFiles.load(file).spec());

        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            Set<PosixFilePermission> usual = Files.getPosixFilePermissions(Files.createFile(dir.resolve("plain")));
            assertEquals(usual, Files.getPosixFilePermissions(file), "as any new file, not a private temporary's");
        }
    }

    @Test
    void aFailedSaveLeavesNeitherATemporaryNorAChange() throws IOException {
        Path occupied = Files.createDirectories(dir.resolve("model.bin/inside")).getParent();
        assertThrows(IOException.class, () -> ModelFiles.save(Network.mlp(4, new int[0], 2, 1), occupied));
        assertEquals(List.of("model.bin"), names(dir));
        assertEquals(List.of("inside"), names(occupied));
    }

    @Test
    void refusesAMissingFileOrAFolder() {
        Path missing = dir.resolve("none.bin");
        NoSuchFileException none = assertThrows(NoSuchFileException.class, () -> ModelFiles.load(missing));
        assertEquals(missing + ": no model file there", none.getMessage());
        FileSystemException folder = assertThrows(FileSystemException.class, () -> ModelFiles.load(dir));
        assertEquals(dir + ": not a regular file, so not a model file", folder.getMessage());
    }

    @Test
    void refusesBytesAfterTheChecksumAndBrokenModelsNamingTheFile() throws IOException {
        byte[] model = ModelCodecTest.bytes(Network.mlp(4, new int[] {3}, 2, 1));
        Path trailing = Files.write(dir.resolve("trailing.bin"), java.util.Arrays.copyOf(model, model.length + 1));
        ModelFormatException after = assertThrows(ModelFormatException.class, () -> ModelFiles.load(trailing));
        assertEquals(trailing + ": the file goes on after the model's checksum", after.getMessage());

        Path truncated = Files.write(dir.resolve("truncated.bin"), java.util.Arrays.copyOf(model, model.length - 10));
        ModelFormatException cut = assertThrows(ModelFormatException.class, () -> ModelFiles.load(truncated));
        assertTrue(cut.getMessage().startsWith(truncated + ": truncated model"), cut.getMessage());
    }
}
