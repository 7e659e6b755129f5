package dev.badnets.attack.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code matrix.csv}'s failed rows: written without figures, read back, refused when they claim figures. */
class MatrixCsvTest {

    @TempDir
    Path dir;

    @Test
    void aFailedRowHasAReasonAndNoFigures() throws Exception {
        MatrixCsv.Row failed = MatrixCsv.Row.failed("badnets", "abl", 1, "loss became NaN, at epoch 3\nstack", 2.5,
                2, 2, "c", "m");
        assertEquals("loss became NaN; at epoch 3", failed.failure(), "one line, no commas");
        Path csv = dir.resolve("m.csv");
        MatrixCsv.write(csv, List.of(new MatrixCsv.Row("badnets", "none", 1, new CellMetrics(0.99, 1, 0), 0.5, 1, 1, 2,
                "b", "m"), failed));
        List<String> lines = Files.readAllLines(csv);
        assertEquals("badnets,abl,1,,,,,2.5,2,2,c,m,loss became NaN; at epoch 3", lines.get(2));
        assertEquals(failed, MatrixCsv.read(csv).get(1));

        Files.writeString(csv, lines.get(0) + "\n" + lines.get(2).replace(",,,,,", ",0.9,0.1,0.8,0.7,") + "\n");
        assertThrows(IllegalArgumentException.class, () -> MatrixCsv.read(csv), "a failed row with figures");
        assertThrows(IllegalArgumentException.class, () -> new MatrixCsv.Row("badnets", "abl", 1,
                new CellMetrics(Double.NaN, 0, 0), 0.5, 1, 1, 1, "c", "m"), "a measured row with a NaN figure");
    }

    @Test
    void aCsvWrittenBeforeTheFailureColumnStillReads() throws Exception {
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, "attack,defense,seed,clean_accuracy,attack_success_rate,robust_accuracy,der,seconds,cell,"
                + "cells,config,matrix\nbadnets,none,1,0.99,1.0,0.0,0.5,10.0,1,1,c,m\n");
        MatrixCsv.Row row = MatrixCsv.read(csv).get(0);
        assertTrue(!row.failed() && row.metrics().cleanAccuracy() == 0.99, row.toString());
    }
}
