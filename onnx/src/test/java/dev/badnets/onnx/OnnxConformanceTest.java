package dev.badnets.onnx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.badnets.onnx.proto.Onnx.GraphProto;
import dev.badnets.onnx.proto.Onnx.ModelProto;
import dev.badnets.onnx.proto.Onnx.TensorProto;
import dev.badnets.onnx.proto.Onnx.ValueInfoProto;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The ONNX project's own backend test cases (Debian's {@code libonnx-testdata}, installed by
 * {@code .ci/run}): every case whose graph the reader accepts must give the expected output within
 * a relative error of 1e-4 ({@code |got - want| <= 1e-4 (1 + |want|)}); the others must be refused
 * with an {@link OnnxFormatException}. Prints how many cases there are, how many the reader
 * supports, how many pass and how many it refuses.
 *
 * <p>The node tests pass weights as graph inputs ({@code input_1.pb}, ...); the test turns every
 * input but the first into an initializer, which is what an exporter writes for a trained model.
 * A case fails this test if the reader accepts it and computes something else, or throws anything
 * but a refusal.
 */
class OnnxConformanceTest {

    static final Path DATA = Path.of(System.getProperty("badnets.onnx.testdata", "/usr/share/libonnx-testdata/data"));

    @Test
    void backendTestCases() throws IOException {
        assertTrue(Files.isDirectory(DATA.resolve("node")), "ONNX's test data is missing at " + DATA
                + ": install it with 'apt-get install -y libonnx-testdata' (.ci/run does)");
        int cases = 0, supported = 0, passed = 0, refused = 0;
        List<String> failures = new ArrayList<>();
        List<String> passes = new ArrayList<>();
        for (String suite : List.of("node", "pytorch-converted", "pytorch-operator", "simple")) {
            List<Path> dirs;
            try (Stream<Path> s = Files.list(DATA.resolve(suite))) {
                dirs = s.filter(d -> Files.exists(d.resolve("model.onnx"))).sorted().toList();
            }
            for (Path dir : dirs) {
                cases++;
                String name = suite + "/" + dir.getFileName();
                OnnxModel model;
                List<Path> sets;
                try (Stream<Path> s = Files.list(dir)) {
                    sets = s.filter(d -> d.getFileName().toString().startsWith("test_data_set_")).sorted().toList();
                }
                try {
                    model = OnnxReader.read(withInputsAsInitializers(Files.readAllBytes(dir.resolve("model.onnx")),
                            sets.isEmpty() ? null : sets.get(0)));
                } catch (OnnxFormatException e) {
                    refused++;
                    if (System.getProperty("badnets.onnx.why") != null) {
                        System.out.println("refused " + name + ": " + e.getMessage());
                    }
                    continue;
                } catch (RuntimeException e) {
                    failures.add(name + ": the reader threw " + e);
                    continue;
                }
                supported++;
                String problem = null;
                for (Path set : sets) {
                    problem = problem != null ? problem : compare(model, set);
                }
                if (problem == null) {
                    passed++;
                    passes.add(name);
                } else {
                    failures.add(name + ": " + problem);
                }
            }
        }
        System.out.println("ONNX conformance: " + cases + " backend test cases, " + supported + " supported, " + passed
                + " pass, " + refused + " refused");
        System.out.println("ONNX conformance: passing: " + String.join(" ", passes));
        assertTrue(failures.isEmpty(), failures.size() + " supported cases fail:\n" + String.join("\n", failures));
        assertTrue(passed >= 49, "only " + passed + " cases pass, 49 did when this test was written");
    }

    /** The model with graph inputs 1, 2, ... replaced by initializers holding the test set's input_1.pb, ... */
    private static byte[] withInputsAsInitializers(byte[] modelBytes, Path set) throws IOException {
        ModelProto model = ModelProto.parseFrom(modelBytes);
        if (set == null || model.getGraph().getInputCount() < 2) {
            return modelBytes;
        }
        GraphProto.Builder graph = model.getGraph().toBuilder();
        List<ValueInfoProto> inputs = new ArrayList<>(graph.getInputList());
        graph.clearInput().addInput(inputs.get(0));
        for (int i = 1; i < inputs.size(); i++) {
            Path data = set.resolve("input_" + i + ".pb");
            if (!Files.exists(data)) {
                graph.addInput(inputs.get(i));
                continue;
            }
            graph.addInitializer(TensorProto.parseFrom(Files.readAllBytes(data)).toBuilder().setName(inputs.get(i).getName()));
        }
        return model.toBuilder().setGraph(graph).build().toByteArray();
    }

    /** null if the model's output on the set's input_0 matches output_0, else what differs. */
    private static String compare(OnnxModel model, Path set) throws IOException {
        Tensors.Constant in = Tensors.decode(TensorProto.parseFrom(Files.readAllBytes(set.resolve("input_0.pb"))), "input_0");
        Tensors.Constant want = Tensors.decode(TensorProto.parseFrom(Files.readAllBytes(set.resolve("output_0.pb"))), "output_0");
        int n = (int) in.dims()[0];
        float[] got = model.run(in.asFloats(), n);
        float[] expected = want.asFloats();
        if (got.length != expected.length) {
            return "gives " + got.length + " values, expected " + expected.length;
        }
        for (int i = 0; i < got.length; i++) {
            if (!(Math.abs(got[i] - expected[i]) <= 1e-4 * (1 + Math.abs(expected[i])))) {
                return "value " + i + " is " + got[i] + ", expected " + expected[i];
            }
        }
        return null;
    }
}
