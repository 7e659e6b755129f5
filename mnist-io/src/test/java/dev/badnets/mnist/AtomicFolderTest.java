package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Folders written as one set: the swap, the lock, the carried files, and cleaning up after killed writers. */
class AtomicFolderTest {

    @TempDir
    Path dir;

    private List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private void writeSet(Path target, String content) throws IOException {
        try (AtomicFolder folder = AtomicFolder.begin(target, Set.of("a", "b", "stale"))) {
            Files.writeString(folder.staging().resolve("a"), content);
            Files.writeString(folder.staging().resolve("b"), content);
            folder.commit();
        }
    }

    @Test
    void replacesTheOldSetAndKeepsOtherFiles() throws IOException {
        Path out = dir.resolve("out");
        Files.createDirectories(out);
        Files.writeString(out.resolve("a"), "old");
        Files.writeString(out.resolve("stale"), "old");
        Files.writeString(out.resolve("notes.txt"), "mine");

        writeSet(out, "new");

        assertEquals(List.of("a", "b", "notes.txt"), names(out), "own names replaced or dropped, others kept");
        assertEquals("new", Files.readString(out.resolve("a")));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals(List.of(".out.lock", "out"), names(dir), "no staging or trash folder left");
    }

    @Test
    void aFailedWriteLeavesTheOldSet() throws IOException {
        Path out = dir.resolve("out");
        writeSet(out, "old");
        try (AtomicFolder folder = AtomicFolder.begin(out, Set.of("a", "b"))) {
            Files.writeString(folder.staging().resolve("a"), "half");
            // no commit: the writer failed
        }
        assertEquals("old", Files.readString(out.resolve("a")));
        assertEquals(List.of(".out.lock", "out"), names(dir));
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheFolder() throws IOException {
        Path out = dir.resolve("out");
        try (AtomicFolder first = AtomicFolder.begin(out, Set.of("a"))) {
            OutputInUseException e = assertThrows(OutputInUseException.class,
                    () -> AtomicFolder.begin(out, Set.of("a")));
            assertEquals(out + " is being written by another process", e.getMessage());
            first.commit();
        }
        writeSet(out, "later"); // free again
    }

    @Test
    void leftoversOfAKilledWriterAreRemovedAndAnOrphanedOldSetIsPutBack() throws IOException {
        Path out = dir.resolve("out");
        // killed between the two renames: no folder, the old set whole in the trash, the new one staged
        Path trash = Files.createDirectories(dir.resolve(".out.1a2b.trash"));
        Files.writeString(trash.resolve("a"), "old");
        Files.createDirectories(dir.resolve(".out.3c.staging")).resolve("a");
        Files.writeString(dir.resolve(".out.ff.tmp"), "partial file");
        Files.writeString(dir.resolve(".outer.ff.tmp"), "another output's");

        try (OutputLock lock = OutputLock.acquire(out)) {
            assertEquals("old", Files.readString(out.resolve("a")), "the old set is back");
        }
        assertEquals(List.of(".out.lock", ".outer.ff.tmp", "out"), names(dir));
    }

    @Test
    void aFolderHoldingSubfoldersOrAFileIsNotReplaced() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out").resolve("sub")).getParent();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AtomicFolder.begin(out, Set.of("a")));
        assertTrue(e.getMessage().contains("holds sub, which is not a plain file"), e.getMessage());
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThrows(IllegalArgumentException.class, () -> AtomicFolder.begin(file, Set.of("a")));
        assertEquals(List.of(".file.lock", ".out.lock", "file", "out"), names(dir), "no staging left");
    }
}
