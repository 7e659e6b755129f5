// Times ModelFiles.load of an ONNX file: run from the repository root after ./badnets has built the jar,
//   java --add-modules jdk.incubator.vector -cp cli/target/badnets.jar bench/onnx/ReadTiming.java /tmp/big.onnx write
//   javac --add-modules jdk.incubator.vector -cp cli/target/badnets.jar -d /tmp/rt bench/onnx/ReadTiming.java
//   java --add-modules jdk.incubator.vector -cp cli/target/badnets.jar:/tmp/rt ReadTiming /tmp/big.onnx
// (compiled apart so that the timed JVM does not also compile the source).
import dev.badnets.core.*;
import dev.badnets.onnx.OnnxWriter;
import java.nio.file.*;

/** Times ModelFiles.load of an ONNX file in a fresh JVM: the first read (class loading included), then warm reads. */
public class ReadTiming {
    public static void main(String[] a) throws Exception {
        Path file = Path.of(a[0]);
        if (a.length > 1) {  // write: an MLP 784-1600-10 exported as ONNX (about 5 MB of float weights)
            Network net = Architecture.build(Shape.image(28, 28), "dense1600", 10, 1);
            OnnxWriter.write(net, Shape.image(28, 28), "input", file);
            System.out.println(file + ": " + Files.size(file) + " bytes");
            return;
        }
        long t0 = System.nanoTime();
        Network net = ModelFiles.load(file);
        long t1 = System.nanoTime();
        System.out.printf("first read %.3f s (%d layers)%n", (t1 - t0) / 1e9, net.layerCount());
        for (int i = 0; i < 5; i++) {
            long s = System.nanoTime();
            ModelFiles.load(file);
            System.out.printf("read %.3f s%n", (System.nanoTime() - s) / 1e9);
        }
    }
}
