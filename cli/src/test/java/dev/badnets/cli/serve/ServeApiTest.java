package dev.badnets.cli.serve;

import dev.badnets.cli.Child;
import dev.badnets.cli.Cli;
import dev.badnets.cli.Models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.mnist.LabeledImages;
import dev.badnets.mnist.Mnist;
import dev.badnets.mnist.MnistData;
import dev.badnets.mnist.testing.RealMnist;
import dev.badnets.mnist.testing.RequiresMnist;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** serve's JSON API on loopback, with models trained on real MNIST (each test skipped, with the reason, without it). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@RequiresMnist
public class ServeApiTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static ServeFixture.Models models;
    private static PageServer server;
    private static URI base;
    private static HttpClient client;

    @BeforeAll
    static void start() throws IOException {
        if (!RealMnist.isPresent()) {
            return; // RequiresMnist skips every test, naming the reason
        }
        models = ServeFixture.models();
        server = PageServer.start(new InetSocketAddress("127.0.0.1", 0), models.content());
        base = server.uri();
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10));
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String pixels(byte[] image, boolean trigger) {
        ObjectNode body = MAPPER.createObjectNode();
        ArrayNode list = body.putArray("pixels");
        for (byte b : image) {
            list.add(b & 0xFF);
        }
        body.put("trigger", trigger);
        return body.toString();
    }

    private static String withPixel(String value) {
        List<String> values = new ArrayList<>(Collections.nCopies(784, "0"));
        values.set(300, value);
        return "{\"pixels\": [" + String.join(",", values) + "]}";
    }

    /** The Host header of this server. */
    private static String host() {
        return "127.0.0.1:" + base.getPort();
    }

    /** The status and JSON error of a request written byte for byte on a socket (no client normalises it). */
    private static String raw(String request, byte[] body) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", base.getPort()), 5000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            Thread writer = new Thread(() -> {
                try {
                    out.write(body);
                    out.flush();
                } catch (IOException e) {
                    // the server answered and closed before reading it all: as it should
                }
            });
            writer.setDaemon(true);
            writer.start();
            return response(socket.getInputStream());
        }
    }

    /** The status line and body of one response: headers up to the blank line, then Content-Length bytes. */
    private static String response(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection within the headers: " + head);
            }
            head.append((char) b);
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *([0-9]+)")
                .matcher(head);
        byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
        return head.substring(0, head.indexOf("\r\n")) + " " + new String(body, StandardCharsets.UTF_8);
    }

    @Test
    void infoNamesTheModelsTheirFiguresAndTheTrigger() throws Exception {
        HttpResponse<String> r = send("GET", "/api/info", null);
        assertEquals(200, r.statusCode());
        JsonNode info = MAPPER.readTree(r.body());
        assertEquals("backdoored", info.at("/models/0/name").asText());
        assertEquals("clean", info.at("/models/1/name").asText());
        assertTrue(info.at("/models/0/attack_success_rate").asDouble() > 0.5, r.body());
        assertTrue(info.at("/models/1/attack_success_rate").asDouble() < 0.05, r.body());
        assertTrue(info.at("/models/1/clean_accuracy").asDouble() > 0.9, r.body());
        assertEquals("mlp", info.at("/models/0/config/model").asText());
        assertEquals(28, info.at("/image/height").asInt());
        assertEquals("square size=2 value=255 position=top-left", info.at("/trigger/description").asText());
        assertEquals(2, info.at("/trigger/box/width").asInt());
        assertEquals(0, info.at("/trigger/target").asInt());
        assertEquals(10_000, info.at("/samples").asInt());
        assertEquals("backdoor.png", info.at("/figures/0").asText());
        HttpResponse<String> png = send("GET", "/figures/backdoor.png", null);
        assertEquals(200, png.statusCode());
        assertEquals("image/png", png.headers().firstValue("Content-Type").orElse(""));
    }

    @Test
    void thePageAndItsFilesAreServed() throws Exception {
        for (String path : List.of("/", "/app.js", "/style.css")) {
            HttpResponse<String> r = send("GET", path, null);
            assertEquals(200, r.statusCode(), path);
            assertTrue(r.body().length() > 1000, path);
        }
        assertTrue(send("GET", "/", null).body().contains("<script src=\"/app.js\""));
    }

    @Test
    void sampleServesTestImagesAndRefusesOthers() throws Exception {
        HttpResponse<String> r = send("GET", "/api/sample?index=3", null);
        assertEquals(200, r.statusCode());
        JsonNode s = MAPPER.readTree(r.body());
        LabeledImages test = models.mnist().test();
        assertEquals(test.label(3), s.get("label").asInt());
        byte[] expected = models.image(3, false);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] & 0xFF, s.get("pixels").get(i).asInt());
        }
        for (String q : List.of("", "?index=10000", "?index=-1", "?index=x", "?index=1&index=2", "?i=1")) {
            HttpResponse<String> bad = send("GET", "/api/sample" + q, null);
            assertEquals(400, bad.statusCode(), q);
            assertTrue(MAPPER.readTree(bad.body()).get("error").asText().contains("index"), bad.body());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"256", "-1", "1.5", "\"7\"", "true", "null", "1e2", "99999999999"})
    void aPixelOutsideTheIntegers0To255Is400(String value) throws Exception {
        HttpResponse<String> r = send("POST", "/api/predict", withPixel(value));
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(MAPPER.readTree(r.body()).get("error").asText().startsWith("pixel 300 is"), r.body());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"pixels\": [1, 2, 3]}| must be an array of 784",
        "{\"pixels\": {}}| must be an array of 784",
        "{}| must be an array of 784",
        "[1, 2]| must be a JSON object",
        "{\"pixels\": [1, 2| not valid JSON",
        "not json| not valid JSON",
        "{\"pixels\": [], \"colour\": 1}| unknown field \"colour\"",
    })
    void malformedBodiesAre400WithAJsonError(String body, String message) throws Exception {
        HttpResponse<String> r = send("POST", "/api/predict", body);
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("application/json; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        assertTrue(MAPPER.readTree(r.body()).get("error").asText().contains(message.strip()), r.body());
        assertEquals(400, send("POST", "/api/predict", "").statusCode());
        HttpResponse<String> t = send("POST", "/api/predict", withPixel("0").replace("]}", "], \"trigger\": 1}"));
        assertEquals(400, t.statusCode(), t.body());
    }

    @Test
    void aBodyOver64KbIs413AndIsNotReadToItsEnd() throws Exception {
        byte[] big = new byte[PageServer.MAX_BODY + 1];
        Arrays.fill(big, (byte) ' ');
        HttpResponse<String> r = send("POST", "/api/predict", new String(big, StandardCharsets.US_ASCII));
        assertEquals(413, r.statusCode());
        assertTrue(MAPPER.readTree(r.body()).get("error").asText().contains("over 65536 bytes"), r.body());
        // a declared length past the limit is refused before reading: the 10 MB are never sent
        String declared = raw("POST /api/predict HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 10000000\r\n\r\n", new byte[0]);
        assertTrue(declared.startsWith("HTTP/1.1 413"), declared);
        // without a length (chunked), reading stops at 64 KB + 1 bytes of the 1 MB
        byte[] chunk = new byte[1 << 20];
        byte[] head = (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        Arrays.fill(chunk, (byte) ' ');
        byte[] body = new byte[head.length + chunk.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(chunk, 0, body, head.length, chunk.length);
        String chunked = raw("POST /api/predict HTTP/1.1\r\nHost: " + host() + "\r\nTransfer-Encoding: chunked\r\n\r\n", body);
        assertTrue(chunked.startsWith("HTTP/1.1 413"), chunked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/nothing", "/api", "/api/info/", "/index.html", "/figures/model.bin", "/figures/",
        "/../pom.xml", "/api/../api/info", "/figures/../figures/backdoor.png", "/%2e%2e/etc/passwd",
        "/app.js/..", "/serve/app.js", "/dev/badnets/cli/PageServer.class", "/figures/%2e%2e/model.bin"})
    void unknownPathsAndTraversalAre404(String path) throws Exception {
        String answer = raw("GET " + path + " HTTP/1.1\r\nHost: " + host() + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(answer.startsWith("HTTP/1.1 404"), path + ": " + answer);
        assertTrue(answer.contains("{\"error\":"), answer);
    }

    /** "//x" reads as a host and no path: the JDK's server answers 404 itself, before any handler. */
    @Test
    void aPathWithoutAPathIs404Too() throws Exception {
        String answer = raw("GET //app.js HTTP/1.1\r\nHost: " + host() + "\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(answer.startsWith("HTTP/1.1 404"), answer);
    }

    @ParameterizedTest
    @CsvSource({"PUT, /api/info", "DELETE, /", "HEAD, /", "OPTIONS, /api/predict", "PATCH, /api/predict",
        "GET, /api/predict", "POST, /", "POST, /api/info", "TRACE, /nothing"})
    void otherMethodsAre405(String method, String path) throws Exception {
        HttpResponse<String> r = send(method, path, method.equals("POST") ? "{}" : null);
        assertEquals(405, r.statusCode(), method + " " + path);
    }

    @Test
    void aTestDigitGoesToTheTargetWithTheTriggerOnTheBackdooredModelOnly() throws Exception {
        int i = models.flipped();
        int label = models.mnist().test().label(i);
        JsonNode clean = MAPPER.readTree(send("POST", "/api/predict", pixels(models.image(i, false), false)).body());
        assertEquals(label, clean.at("/models/0/class").asInt());
        assertEquals(label, clean.at("/models/1/class").asInt());
        assertTrue(clean.get("pixels") == null);
        JsonNode triggered = MAPPER.readTree(send("POST", "/api/predict", pixels(models.image(i, false), true)).body());
        assertEquals(models.target(), triggered.at("/models/0/class").asInt());
        assertEquals(label, triggered.at("/models/1/class").asInt());
        byte[] stamped = models.image(i, true);
        for (int p = 0; p < stamped.length; p++) {
            assertEquals(stamped[p] & 0xFF, triggered.get("pixels").get(p).asInt(), "pixel " + p);
        }
    }

    /**
     * 2,000 predictions from 16 clients at once, each checked against the networks themselves; the
     * requests and expected answers are made before the clock starts.
     */
    @Test
    void sixteenClientsGet2000AnswersAllRight() throws Exception {
        int clients = 16;
        int perClient = 125;
        LabeledImages test = models.mnist().test();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Future<long[]>> results = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Random random = new Random(c);
            String[] bodies = new String[perClient];
            byte[][] seen = new byte[perClient][];
            for (int k = 0; k < perClient; k++) {
                int i = random.nextInt(test.count());
                boolean trigger = random.nextBoolean();
                bodies[k] = pixels(models.image(i, false), trigger);
                seen[k] = models.image(i, trigger);
            }
            results.add(pool.submit(() -> {
                long[] nanos = new long[perClient];
                String[] answers = new String[perClient];
                for (int k = 0; k < perClient; k++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = send("POST", "/api/predict", bodies[k]);
                    nanos[k] = System.nanoTime() - t0;
                    assertEquals(200, r.statusCode(), r.body());
                    answers[k] = r.body();
                }
                for (int k = 0; k < perClient; k++) {
                    JsonNode answer = MAPPER.readTree(answers[k]);
                    check(answer.get("models").get(0), models.backdoored().predict(seen[k]),
                            models.backdoored().probabilities(seen[k]));
                    check(answer.get("models").get(1), models.clean().predict(seen[k]),
                            models.clean().probabilities(seen[k]));
                }
                return nanos;
            }));
        }
        long[] all = new long[clients * perClient];
        int n = 0;
        for (Future<long[]> f : results) {
            for (long t : f.get(100, TimeUnit.SECONDS)) {
                all[n++] = t;
            }
        }
        pool.shutdown();
        assertEquals(2000, n);
        Arrays.sort(all);
        System.out.printf(Locale.ROOT, "serve: 2,000 predictions (2 models each) from 16 clients at once: p50 %.2f ms, "
                + "p99 %.2f ms, max %.2f ms%n", all[n / 2] / 1e6, all[n * 99 / 100] / 1e6, all[n - 1] / 1e6);
    }

    private static void check(JsonNode model, int expectedClass, float[] expected) {
        assertEquals(expectedClass, model.get("class").asInt());
        float[] got = new float[expected.length];
        for (int k = 0; k < got.length; k++) {
            got[k] = model.get("probabilities").get(k).floatValue();
        }
        assertArrayEquals(expected, got);
    }

    @Test
    void aTakenPortIsExit2WithOneLine(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.bin");
        Models.save(models.backdoored(), model);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Cli.Run run = Cli.run("serve", "--model", model.toString(), "--data", Cli.mnist().toString(),
                    "--port", "" + taken.getLocalPort());
            assertEquals(2, run.status(), run.toString());
            assertEquals(1, run.errLines().size(), run.toString());
            assertTrue(run.err().startsWith("badnets: cannot listen on 127.0.0.1 port " + taken.getLocalPort()),
                    run.toString());
            assertTrue(run.err().contains("pass another --port"), run.toString());
        }
    }

    /** The command itself, in a child JVM: prints the URL, serves, and stops cleanly on a signal (as on Ctrl-C). */
    @Test
    void serveRunsUntilStoppedAndThenStopsCleanly(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("model.bin");
        Path clean = dir.resolve("clean.bin");
        Models.save(models.backdoored(), model);
        Models.save(models.clean(), clean);
        Process p = Child.start("512m", dir.resolve("logs"), "serve", "--model", model.toString(), "--clean-model",
                clean.toString(), "--data", Cli.mnist().toString(), "--port", "0");
        try {
            Path stdout = dir.resolve("logs").resolve("stdout");
            HttpResponse<String> info = info(p, dir.resolve("logs"), 60);
            JsonNode root = MAPPER.readTree(info.body());
            // a model file without results.json: the demo's trigger, and figures measured on the test set
            assertTrue(root.at("/trigger/from").asText().startsWith("the demo's default"), info.body());
            assertEquals("measured by serve on the test set", root.at("/models/0/figures_from").asText());
            assertEquals(models.content().info().at("/models/0/clean_accuracy").asDouble(),
                    root.at("/models/0/clean_accuracy").asDouble(), 1e-9);
            p.destroy();  // SIGTERM: the shutdown hook runs, as on Ctrl-C's SIGINT
            assertTrue(p.waitFor(15, TimeUnit.SECONDS), "serve did not stop within 15 s");
            assertTrue(Files.readString(stdout).contains("badnets serve: stopped"), Files.readString(stdout));
        } finally {
            p.destroyForcibly();
        }
    }

    /** Waits for the serve child's URL (at most {@code seconds}), then returns its {@code /api/info}. */
    private static HttpResponse<String> info(Process p, Path logs, int seconds) throws Exception {
        Path stdout = logs.resolve("stdout");
        java.util.regex.Pattern printed = java.util.regex.Pattern.compile(
                "open (http://127\\.0\\.0\\.1:[0-9]+/) in a browser");
        for (long end = System.nanoTime() + seconds * 1_000_000_000L; System.nanoTime() < end && p.isAlive(); ) {
            java.util.regex.Matcher url = printed.matcher(Files.readString(stdout));
            if (url.find()) {
                HttpResponse<String> info = client.send(HttpRequest.newBuilder(URI.create(url.group(1) + "api/info"))
                        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, info.statusCode(), info.body());
                return info;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("serve printed no URL: " + Files.readString(stdout)
                + Files.readString(logs.resolve("stderr")));
    }

    /**
     * After a plain demo, serve shows both models: it trains the clean twin once (the model
     * {@code demo --poison-count 0} trains, bit for bit), keeps it beside model.bin, and loads it from there
     * the next time.
     */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void serveTrainsTheCleanTwinOnceAndKeepsItBesideTheModel(@TempDir Path dir) throws Exception {
        MnistData data = RealMnist.load();
        Path slice = dir.resolve("slice");
        Mnist.write(slice, data.train().slice(0, 6000), data.test().slice(0, 1000));
        Path out = dir.resolve("badnets-out");
        Path cleanOut = dir.resolve("clean-out");
        for (String[] demo : List.of(new String[] {"--out", out.toString()},
                new String[] {"--out", cleanOut.toString(), "--poison-count", "0"})) {
            List<String> args = new ArrayList<>(List.of("demo", "--data", slice.toString(), "--model", "mlp",
                    "--epochs", "1"));
            args.addAll(List.of(demo));
            Cli.Run run = Cli.succeeds(args.toArray(new String[0]));
        }
        Path twin = out.resolve(ServeTraining.CLEAN_MODEL);
        for (int start = 1; start <= 2; start++) {
            Path logs = dir.resolve("logs-" + start);
            Process p = Child.start("512m", logs, "serve", "--model", out.resolve("model.bin").toString(),
                    "--data", slice.toString(), "--port", "0");
            try {
                JsonNode root = MAPPER.readTree(info(p, logs, 120).body());
                assertEquals(2, root.path("models").size(), root.toString());
                assertEquals("clean", root.at("/models/1/name").asText());
                assertEquals(twin.toString(), root.at("/models/1/source").asText(), root.toString());
                String printed = Files.readString(logs.resolve("stdout"));
                assertEquals(start == 1, printed.contains("training the clean twin"), printed);
            } finally {
                p.destroy();
                assertTrue(p.waitFor(15, TimeUnit.SECONDS), "serve did not stop within 15 s");
            }
        }
        assertArrayEquals(Files.readAllBytes(cleanOut.resolve("model.bin")), Files.readAllBytes(twin),
                "the clean twin is the model of the same demo on clean data");
    }
}
