package dev.badnets.mnist;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Data folders in the MNIST layout: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte} and {@code t10k-labels-idx1-ubyte}, each raw or gzip-compressed
 * ({@code .gz}). Image size and class count come from the files, so any folder in this layout loads,
 * not only MNIST itself.
 */
public final class Mnist {
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";
    /** The four base names, in the order above. */
    public static final List<String> FILE_NAMES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);


    private Mnist() {
    }

    /**
     * Loads the four files of {@code dir} and checks that they fit together: images are rank-3 unsigned
     * bytes, labels rank-1 unsigned bytes, one label per image, train and test images of one size, and
     * every test label a class the training set has. Classes = 1 + the largest training label.
     *
     * @throws IdxFormatException for a missing folder or file, a malformed file or files that disagree
     */
    public static MnistData load(Path dir) throws IOException {
        MnistLayout layout = inspect(dir);
        LabeledImages train = loadSet(layout.trainImages(), layout.trainLabels());
        LabeledImages test = loadSet(layout.testImages(), layout.testLabels());
        int classes = 0;
        for (byte b : train.labels()) {
            classes = Math.max(classes, (b & 0xFF) + 1);
        }
        byte[] labels = test.labels();
        for (int i = 0; i < labels.length; i++) {
            int label = labels[i] & 0xFF;
            if (label >= classes) {
                throw new IdxFormatException(layout.testLabels().toString(), 8 + i, "expected a label below " + classes
                        + " (the training set's classes), found " + label + " for test image " + i);
            }
        }
        return new MnistData(train, test, classes);
    }

    /**
     * Reads only the four headers of {@code dir} and checks that they fit together (types, ranks, one
     * label per image, one image size, at least one training and one test image), so that files
     * which disagree are refused before any payload is read or allocated.
     *
     * @throws IdxFormatException for a missing folder or file, a malformed header or headers that disagree
     */
    public static MnistLayout inspect(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IdxFormatException(dir.toString(), (Files.exists(dir) ? "is not a folder" : "no such folder")
                    + ", expected a data folder holding the four MNIST files");
        }
        List<String> missing = missing(dir);
        if (missing.size() == 1) {
            String name = missing.get(0);
            throw new IdxFormatException(dir.toString(), "neither " + name + " nor " + name + ".gz found");
        }
        if (!missing.isEmpty()) {
            throw new IdxFormatException(dir.toString(), "missing " + String.join(", ", missing)
                    + " (raw or .gz)");
        }
        Path trainImages = locate(dir, TRAIN_IMAGES);
        Path trainLabels = locate(dir, TRAIN_LABELS);
        Path testImages = locate(dir, TEST_IMAGES);
        Path testLabels = locate(dir, TEST_LABELS);
        IdxHeader train = checkSet(trainImages, Idx.readHeader(trainImages), trainLabels, Idx.readHeader(trainLabels));
        IdxHeader test = checkSet(testImages, Idx.readHeader(testImages), testLabels, Idx.readHeader(testLabels));
        if (test.dims()[1] != train.dims()[1] || test.dims()[2] != train.dims()[2]) {
            throw new IdxFormatException(testImages.toString(), 8, "expected " + train.dims()[1] + "x"
                    + train.dims()[2] + " images like the training set, found " + test.dims()[1] + "x" + test.dims()[2]);
        }
        if (train.count() == 0) {
            throw new IdxFormatException(trainLabels.toString(), 4, "expected at least one training image, found 0");
        }
        if (test.count() == 0) {
            throw new IdxFormatException(testLabels.toString(), 4, "expected at least one test image, found 0");
        }
        return new MnistLayout(trainImages, trainLabels, testImages, testLabels, train.count(), test.count(),
                train.dims()[1], train.dims()[2]);
    }

    /** The base names of the four files that {@code dir} holds neither raw nor gzipped, in the usual order. */
    public static List<String> missing(Path dir) {
        List<String> missing = new ArrayList<>();
        for (String name : FILE_NAMES) {
            if (!Files.exists(dir.resolve(name)) && !Files.exists(dir.resolve(name + ".gz"))) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Checks an images header and its labels header; returns the images header. */
    private static IdxHeader checkSet(Path imagesFile, IdxHeader images, Path labelsFile, IdxHeader labels)
            throws IdxFormatException {
        String imagesName = imagesFile.toString();
        if (images.type() != IdxType.UNSIGNED_BYTE) {
            throw new IdxFormatException(imagesName, 2, "expected images of unsigned bytes (type 08), found "
                    + images.type());
        }
        if (images.rank() != 3) {
            throw new IdxFormatException(imagesName, 3, "expected images of rank 3 (count x rows x cols), found rank "
                    + images.rank());
        }
        String labelsName = labelsFile.toString();
        if (labels.type() != IdxType.UNSIGNED_BYTE) {
            throw new IdxFormatException(labelsName, 2, "expected labels of unsigned bytes (type 08), found "
                    + labels.type());
        }
        if (labels.rank() != 1) {
            throw new IdxFormatException(labelsName, 3, "expected labels of rank 1, found rank " + labels.rank());
        }
        if (labels.count() != images.count()) {
            throw new IdxFormatException(labelsName, 4, "expected " + images.count() + " labels, one per image of "
                    + imagesFile.getFileName() + ", found " + labels.count());
        }
        return images;
    }

    /**
     * The file holding {@code baseName} in {@code dir}: the raw file when present, else the {@code .gz}.
     *
     * @throws IdxFormatException when neither exists, naming both and the fix
     */
    public static Path locate(Path dir, String baseName) throws IdxFormatException {
        Path raw = dir.resolve(baseName);
        if (Files.exists(raw)) {
            return raw;
        }
        Path gz = dir.resolve(baseName + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        throw new IdxFormatException(dir.toString(), "neither " + baseName + " nor " + baseName + ".gz found");
    }

    /** One images file and its labels file as {@link LabeledImages}. */
    public static LabeledImages loadSet(Path imagesFile, Path labelsFile) throws IOException {
        // The headers first: two files that disagree are refused before either payload is read.
        checkSet(imagesFile, Idx.readHeader(imagesFile), labelsFile, Idx.readHeader(labelsFile));
        IdxArray images = Idx.read(imagesFile);
        IdxArray labels = Idx.read(labelsFile);
        checkSet(imagesFile, new IdxHeader(images.type(), images.dims()), labelsFile,
                new IdxHeader(labels.type(), labels.dims()));
        return new LabeledImages(images.count(), images.dim(1), images.dim(2), images.bytes(), labels.bytes());
    }

    /**
     * Writes a data folder in the MNIST layout: the four files uncompressed, each through a temporary
     * file and a rename, readable by any MNIST reader. Creates {@code dir} if needed.
     */
    public static void write(Path dir, LabeledImages train, LabeledImages test) throws IOException {
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IllegalArgumentException("train images are " + train.rows() + "x" + train.cols()
                    + " but test images are " + test.rows() + "x" + test.cols() + "; a data folder needs one size");
        }
        Files.createDirectories(dir);
        Idx.write(dir.resolve(TRAIN_IMAGES), train.imagesArray());
        Idx.write(dir.resolve(TRAIN_LABELS), train.labelsArray());
        Idx.write(dir.resolve(TEST_IMAGES), test.imagesArray());
        Idx.write(dir.resolve(TEST_LABELS), test.labelsArray());
    }
}
