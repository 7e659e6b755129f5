package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real MNIST folder where the command line finds it (BADNETS_DATA, else the cache folder; CI sets BADNETS_DATA). */
@RequiresMnist
class RealMnistTest {
    private static Path folder;

    @BeforeAll
    static void locate() {
        folder = RealMnist.folder();
    }

    @Test
    void loadsMnistWithItsKnownShapeAndStatistics() throws IOException {
        MnistData data = Mnist.load(folder);
        assertEquals(10, data.classes());
        LabeledImages train = data.train();
        LabeledImages test = data.test();
        assertEquals(60000, train.count());
        assertEquals(28, train.rows());
        assertEquals(28, train.cols());
        assertEquals(60000, train.labels().length);
        assertEquals(10000, test.count());
        assertEquals(10000 * 784, test.pixels().length);
        assertEquals(10000, test.labels().length);

        IdxSummary summary = IdxSummary.of(train.imagesArray());
        assertEquals(0.1307, summary.pixelMean(), 0.00005);
        assertEquals(0.3081, summary.pixelStd(), 0.00005);

        long bytes = train.pixels().length + train.labels().length;
        assertTrue(bytes > 10_000_000 && bytes < 100_000_000, "train set costs " + bytes + " bytes, expected tens of MB");
    }

    @Test
    void summariesOfTheFilesMatchWhatInspectPrints() throws IOException {
        assertEquals("unsigned byte, rank 3, 60000x28x28, 60000 items, pixel mean 0.1307, std 0.3081",
                IdxSummary.read(Mnist.locate(folder, Mnist.TRAIN_IMAGES)).describe());
        assertEquals("unsigned byte, rank 1, 60000, 60000 items",
                IdxSummary.read(Mnist.locate(folder, Mnist.TRAIN_LABELS)).describe());
        IdxHeader testImages = Idx.readHeader(Mnist.locate(folder, Mnist.TEST_IMAGES));
        assertEquals("unsigned byte 10000x28x28", testImages.toString());
    }
}
