package dev.badnets.attack.defense;

import java.util.SplittableRandom;
import org.ejml.data.FMatrixRMaj;

/**
 * Gaussian classes in {@code dim} dimensions with a planted poisoned population in one class:
 * samples drawn like the class's own but shifted by {@code shift} along a random unit direction.
 * Rows are shuffled so that the poison sits at scattered indices.
 */
final class Synthetic {

    final FMatrixRMaj representations;
    final int[] labels;
    final int[] poisoned;
    final int classes;

    /**
     * @param wideDims when > 0, every class varies with standard deviation {@code wideStd} along
     *                 its first {@code wideDims} coordinates (and 1 elsewhere), and the shift is
     *                 orthogonal to them: the poison is then not the top direction of variance
     */
    Synthetic(long seed, int classes, int perClass, int dim, int poisonClass, int poisonCount,
              double shift, int wideDims, double wideStd) {
        SplittableRandom random = new SplittableRandom(seed);
        int n = classes * perClass + poisonCount;
        this.classes = classes;
        representations = new FMatrixRMaj(n, dim);
        labels = new int[n];
        poisoned = new int[poisonCount];

        double[] direction = new double[dim];
        double norm = 0;
        for (int j = wideDims; j < dim; j++) {
            direction[j] = gaussian(random);
            norm += direction[j] * direction[j];
        }
        for (int j = 0; j < dim; j++) {
            direction[j] /= Math.sqrt(norm);
        }
        double[][] means = new double[classes][dim];
        for (double[] mean : means) {
            for (int j = 0; j < dim; j++) {
                mean[j] = 3 * gaussian(random);
            }
        }
        int[] order = permutation(n, random);
        for (int s = 0; s < n; s++) {
            int row = order[s];
            boolean poison = s >= classes * perClass;
            int label = poison ? poisonClass : s / perClass;
            labels[row] = label;
            for (int j = 0; j < dim; j++) {
                double std = j < wideDims ? wideStd : 1;
                double v = means[label][j] + std * gaussian(random)
                        + (poison ? shift * direction[j] : 0);
                representations.set(row, j, (float) v);
            }
            if (poison) {
                poisoned[s - classes * perClass] = row;
            }
        }
        java.util.Arrays.sort(poisoned);
    }

    double rate() {
        return poisoned.length / (double) labels.length;
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static double gaussian(SplittableRandom random) {
        // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
