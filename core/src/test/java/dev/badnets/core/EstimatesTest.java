package dev.badnets.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.core.backend.EjmlBackend;
import dev.badnets.core.backend.MatrixBackend;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.ejml.data.FMatrixRMaj;
import org.junit.jupiter.api.Test;

/**
 * The work and memory estimates that callers size batches and report FLOPs by, against counts taken
 * from a run: {@link Layer#multiplyAdds()} against the multiply-adds of the products a forward pass
 * really asks its backend for, and {@link Layer#floatsPerSample(boolean)} against the bytes a
 * workspace really allocates per sample of its capacity (the difference between two capacities,
 * so the parameter gradients and the objects themselves cancel out).
 */
class EstimatesTest {

    /** Every layer kind: padded and unpadded convolutions, tiling and overlapping pooling, flatten, dense. */
    private static Network network() {
        return Architecture.build(new Shape(3, 12, 11), "conv4x5,pool2,conv6x3p0,pool2s1,dense7", 5, 1);
    }

    /** A backend that counts the multiply-adds of the products it runs: {@code n·in·out} for {@code X W}. */
    private static final class CountingBackend implements MatrixBackend {
        private final MatrixBackend ejml = new EjmlBackend();
        final List<Long> affine = new ArrayList<>();

        @Override
        public String name() {
            return "counting";
        }

        @Override
        public int threads() {
            return 1;
        }

        @Override
        public void affine(FMatrixRMaj x, FMatrixRMaj w, FMatrixRMaj b, FMatrixRMaj z) {
            affine.add((long) x.numRows * x.numCols * w.numCols);
            ejml.affine(x, w, b, z);
        }

        @Override
        public void multTransA(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
            ejml.multTransA(a, b, c);
        }

        @Override
        public void multTransB(FMatrixRMaj a, FMatrixRMaj b, FMatrixRMaj c) {
            ejml.multTransB(a, b, c);
        }
    }

    @Test
    void multiplyAddsAreThoseOfTheForwardPass() {
        Network net = network();
        int n = 3;
        CountingBackend backend = new CountingBackend();
        BatchBuffers buf = new BatchBuffers(net, backend, n, false);
        net.forward(buf);

        long total = 0;
        int call = 0;
        for (Layer layer : net.layers()) {
            if (layer instanceof Conv2D || layer instanceof DenseLayer) {
                assertEquals(n * layer.multiplyAdds(), backend.affine.get(call++), layer.spec());
            } else {
                assertEquals(0, layer.multiplyAdds(), layer.spec());
            }
            total += layer.multiplyAdds();
        }
        assertEquals(backend.affine.size(), call, "one product per layer with weights");
        assertEquals(total, net.multiplyAdds());
        long counted = backend.affine.stream().mapToLong(Long::longValue).sum();
        assertEquals(counted, n * net.multiplyAdds());
        // conv4x5 over 3x12x11: 12·11 pixels x 75 x 4
        assertEquals(12 * 11 * 75 * 4, net.layer(0).multiplyAdds());
    }

    @Test
    void floatsPerSampleAreWhatAWorkspaceAllocates() {
        Network net = network();
        for (boolean training : new boolean[] {true, false}) {
            for (Layer layer : net.layers()) {
                double measured = bytesPerSample(capacity -> layer.workspace(new EjmlBackend(), capacity, training, null)) / Float.BYTES;
                assertClose(layer.floatsPerSample(training), measured, layer.spec() + (training ? " training" : ""));
            }
            // the batch's input and labels (one int a sample, the 1 below) and every workspace
            double measured = bytesPerSample(capacity -> new BatchBuffers(net, new EjmlBackend(), capacity, training)) / Float.BYTES;
            assertClose(net.floatsPerSample(training) + 1, measured, "the network" + (training ? " training" : ""));
        }
        // by hand for the first convolution, training: a, z, dA, dZ (4 x 4·12·11), cols and dCols (2 x 75·12·11),
        // the input padded by 2 (3·16·15)
        assertEquals(4 * 4 * 12 * 11 + 2 * 75 * 12 * 11 + 3 * 16 * 15, net.layer(0).floatsPerSample(true));
    }

    private interface Allocation {
        Object allocate(int capacity);
    }

    /** Bytes one more sample of capacity costs: measured between capacities 10 and 1010, the least of 3 tries. */
    private static double bytesPerSample(Allocation allocation) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        double least = Double.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            long before = mx.getCurrentThreadAllocatedBytes();
            Object small = allocation.allocate(10);
            long middle = mx.getCurrentThreadAllocatedBytes();
            Object large = allocation.allocate(1010);
            long after = mx.getCurrentThreadAllocatedBytes();
            assertTrue(small != null && large != null);
            least = Math.min(least, ((after - middle) - (middle - before)) / 1000.0);
        }
        return least;
    }

    /** Within 1 %: the estimate leaves out what is small per sample (the conv's per-block bias sums, 1/256 of its output). */
    private static void assertClose(long estimate, double measured, String what) {
        assertTrue(Math.abs(measured - estimate) <= 0.01 * estimate,
                () -> what + ": estimated " + estimate + " floats per sample, a workspace allocates " + measured);
    }
}
