package dev.badnets.cli.serve;

import dev.badnets.cli.Child;
import dev.badnets.cli.Models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Triggers;
import dev.badnets.core.Architecture;
import dev.badnets.core.Network;
import dev.badnets.core.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * serve's server against slow, careless and hostile clients, on loopback with a small untrained MLP
 * (no data needed): slow clients take no worker from others, refusals are one plain line, the
 * {@code Host} is checked, JSON is strict.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public class ServeHostileClientsTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static PageServer server;
    private static int port;
    /** Sockets the slow clients hold, closed after each test. */
    private final List<Socket> slow = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws IOException {
        Network net = Network.mlp(784, new int[] {16}, 10, 1);
        ObjectNode info = MAPPER.createObjectNode().put("note", "a test model");
        PageServer.Content content = new PageServer.Content(List.of(new PageServer.ServedModel("backdoored", net)),
                28, 28, Triggers.defaultTrigger(), info, null, Map.of());
        server = PageServer.start(new InetSocketAddress("127.0.0.1", 0), content);
        port = server.uri().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @AfterEach
    void closeSlowClients() {
        synchronized (slow) {
            slow.forEach(s -> {
                try {
                    s.close();
                } catch (IOException e) {
                    // closed anyway
                }
            });
            slow.clear();
        }
    }

    static String predictBody(String pixel) {
        return "{\"pixels\": [" + String.join(",", Collections.nCopies(784, pixel)) + "]}";
    }

    /** A request's bytes: method, path, the given header lines, Host (when not among them) and the body. */
    static String request(String method, String path, String headers, String body) {
        String host = headers.toLowerCase(Locale.ROOT).contains("host:") ? "" : "Host: 127.0.0.1:" + port + "\r\n";
        return method + " " + path + " HTTP/1.1\r\n" + host + headers
                + (body == null ? "" : "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n")
                + "\r\n" + (body == null ? "" : body);
    }

    /** Status, headers (lower-case names) and body of one response read from {@code in}. */
    record Answer(int status, Map<String, String> headers, String body) {
        JsonNode json() throws IOException {
            return MAPPER.readTree(body);
        }
    }

    static Answer read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the server closed the connection within the headers: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        Map<String, String> headers = new java.util.HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
        }
        int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers,
                new String(in.readNBytes(length), StandardCharsets.UTF_8));
    }

    /** One request on a fresh connection, its answer read within 10 s. */
    static Answer exchange(String request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return read(socket.getInputStream());
        }
    }

    /** A connection that has sent {@code start} and then stays silent (until the test ends). */
    private Socket silentAfter(String start) throws IOException {
        Socket socket = new Socket();
        slow.add(socket);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.getOutputStream().write(start.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return socket;
    }

    /** Starts a client that sends one header line every {@code everyMillis}, forever (until the test ends). */
    private void trickleHeaders(long everyMillis) throws IOException {
        Socket socket = silentAfter("GET /api/info HTTP/1.1\r\n");
        Thread t = new Thread(() -> {
            try {
                OutputStream out = socket.getOutputStream();
                for (int i = 0; !socket.isClosed(); i++) {
                    out.write(("X-Slow-" + i + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    Thread.sleep(everyMillis);
                }
            } catch (IOException | InterruptedException e) {
                // the server closed it, or the test ended
            }
        }, "slow-header-client");
        t.setDaemon(true);
        t.start();
    }

    /** Milliseconds for a GET /api/info on a fresh connection, checking the answer is 200. */
    private static double timedInfo() throws IOException {
        long t0 = System.nanoTime();
        Answer a = exchange(request("GET", "/api/info", "Connection: close\r\n", null));
        double ms = (System.nanoTime() - t0) / 1e6;
        assertEquals(200, a.status(), a.body());
        return ms;
    }

    /** Five GET /api/info in a row, each answered within 2 s beside the slow clients {@code beside} describes. */
    private static void assertInfoStaysQuick(String beside) throws IOException {
        for (int k = 0; k < 5; k++) {
            double ms = timedInfo();
            assertTrue(ms < 2000, "GET /api/info took " + ms + " ms beside " + beside);
        }
    }

    @Test
    void clientsTricklingHeaderLinesHoldNoWorkerOthersNeed() throws Exception {
        for (int c = 0; c < 2 * PageServer.THREADS; c++) {
            trickleHeaders(500);
        }
        Thread.sleep(300); // every slow client has started its head
        assertInfoStaysQuick("clients trickling header lines");
    }

    @Test
    void clientsSilentInsideABodyDoNotBlockInfo() throws Exception {
        String body = predictBody("0");
        String partial = request("POST", "/api/predict", "", body);
        for (int c = 0; c < 20 + PageServer.THREADS; c++) {
            silentAfter(partial.substring(0, partial.length() - body.length() / 2));
        }
        Thread.sleep(300);
        assertInfoStaysQuick("clients silent inside a body");
    }

    @Test
    void aClientSilentInsideItsBodyGets408WithinTheRequestDeadline() throws Exception {
        String body = predictBody("0");
        String partial = request("POST", "/api/predict", "", body);
        long t0 = System.nanoTime();
        Socket socket = silentAfter(partial.substring(0, partial.length() - 10));
        socket.setSoTimeout(15_000);
        Answer a = read(socket.getInputStream());
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(408, a.status(), a.body());
        assertTrue(seconds < PageServer.REQUEST_TIMEOUT_MILLIS / 1000.0 + 2, "the 408 came after " + seconds + " s");
        assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the 408");
    }

    @Test
    void aTooLargeContentLengthWithConnectionCloseIsRefusedAndClosedAtOnce() throws Exception {
        long t0 = System.nanoTime();
        Socket socket = silentAfter("POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nConnection: close\r\nContent-Length: 10000000\r\n\r\n");
        socket.setSoTimeout(30_000);
        Answer a = read(socket.getInputStream());
        assertEquals(413, a.status(), a.body());
        assertEquals(-1, socket.getInputStream().read(), "the connection is closed after the 413");
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(seconds < 2, "the connection was held " + seconds + " s after a refused length");
    }

    @Test
    void aForeignHostIsRefusedAndThisServersNamesAreServed() throws Exception {
        for (String host : List.of("evil.example:" + port, "127.0.0.1.nip.io:" + port, "127.0.0.1:" + (port + 1),
                "127.0.0.1", "localhost.:" + port)) {
            Answer a = exchange(request("GET", "/api/info", "Host: " + host + "\r\n", null));
            assertEquals(421, a.status(), host + ": " + a.body());
            assertTrue(a.json().get("error").asText().contains("not this server's address"), a.body());
            assertFalse(a.body().contains("note"), "no /api/info for " + host);
        }
        for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "LocalHost:" + port)) {
            assertEquals(200, exchange(request("GET", "/api/info", "Host: " + host + "\r\n", null)).status(), host);
        }
        Answer none = exchange("GET /api/info HTTP/1.1\r\n\r\n");
        assertEquals(400, none.status(), none.body());
    }

    @Test
    void badJsonIsRefusedInPlainWordsWithoutTheParsersInternals() throws Exception {
        for (String body : List.of(predictBody("NaN"), "{\"pixels\": [1,]}", "{'pixels': []}", "{\"pixels\": [1] /* c */}",
                "\u0000", "{\"pixels\": [" + "[".repeat(2000))) {
            Answer a = exchange(request("POST", "/api/predict", "", body));
            assertEquals(400, a.status(), a.body());
            String error = a.json().get("error").asText();
            assertTrue(error.contains("not valid JSON") || error.contains("nests"), error);
            for (String internal : List.of("JsonReadFeature", "ALLOW_", "jackson", "Jackson", "com.fasterxml",
                    "Feature", "token", "[Source:", "\n")) {
                assertFalse(error.contains(internal), "the error names '" + internal + "': " + error);
            }
        }
    }

    @Test
    void trailingDataAndRepeatedFieldsAre400() throws Exception {
        String body = predictBody("0");
        assertEquals(200, exchange(request("POST", "/api/predict", "", body)).status());
        for (String bad : List.of(body + " x", body + "{}", body + body,
                body.replace("{", "{\"trigger\": true, \"trigger\": false, "),
                body.replace("]}", "], \"pixels\": [1]}"))) {
            Answer a = exchange(request("POST", "/api/predict", "", bad));
            assertEquals(400, a.status(), a.body());
            String error = a.json().get("error").asText();
            assertTrue(error.contains("goes on after") || error.contains("names a field twice"), error);
        }
    }

    @Test
    void a405NamesTheAllowedMethod() throws Exception {
        Answer get = exchange(request("GET", "/api/predict", "", null));
        assertEquals(405, get.status(), get.body());
        assertEquals("POST", get.headers().get("allow"));
        Answer put = exchange(request("PUT", "/api/info", "", "{}"));
        assertEquals(405, put.status(), put.body());
        assertEquals("GET", put.headers().get("allow"));
        Answer trace = exchange(request("TRACE", "/nothing", "", null));
        assertEquals(405, trace.status(), trace.body());
        assertEquals("GET, POST", trace.headers().get("allow"));
    }

    /**
     * The load test: slow-header and slow-body clients hold connections for the whole run while
     * four normal clients send 400 timed requests (after a warm-up) (predictions and /api/info, each on a kept-alive
     * connection); the normal requests' 99th percentile stays under 200 ms.
     */
    @Test
    void normalRequestsKeepTheirP99Under200MsBesideSlowClients() throws Exception {
        for (int c = 0; c < PageServer.THREADS + 4; c++) {
            trickleHeaders(300);
        }
        String body = predictBody("7");
        String partial = request("POST", "/api/predict", "", body);
        for (int c = 0; c < PageServer.THREADS + 4; c++) {
            silentAfter(partial.substring(0, partial.length() - body.length() / 3));
        }
        int clients = 4;
        int perClient = 100;
        long[][] nanos = new long[clients][perClient];
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                    socket.setSoTimeout(10_000);
                    OutputStream out = socket.getOutputStream();
                    InputStream in = socket.getInputStream();
                    for (int k = -WARM_UP; k < perClient; k++) { // the first ones find the code not yet compiled
                        boolean info = k % 4 == 0;
                        String req = info ? request("GET", "/api/info", "", null) : request("POST", "/api/predict", "", body);
                        long t0 = System.nanoTime();
                        out.write(req.getBytes(StandardCharsets.US_ASCII));
                        Answer a = read(in);
                        if (k >= 0) {
                            nanos[client][k] = System.nanoTime() - t0;
                        }
                        assertEquals(200, a.status(), a.body());
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertTrue(failures.isEmpty(), "normal clients failed: " + failures);
        long[] all = Arrays.stream(nanos).flatMapToLong(Arrays::stream).sorted().toArray();
        double p50 = all[all.length / 2] / 1e6;
        double p99 = all[all.length * 99 / 100] / 1e6;
        System.out.printf(Locale.ROOT, "serve beside %d slow clients: %d normal requests, p50 %.2f ms, p99 %.2f ms,"
                + " max %.2f ms%n", slow.size(), all.length, p50, p99, all[all.length - 1] / 1e6);
        assertTrue(p99 < 200, "p99 " + p99 + " ms beside slow clients, over 200 ms");
    }

    /** Requests each normal client of the load test sends before those it times. */
    private static final int WARM_UP = 50;

    /** The page's own URL names this server, so the page works as served. */
    @Test
    void thePagesOwnAddressPassesTheHostCheck() throws Exception {
        URI uri = server.uri();
        Answer a = exchange(request("GET", "/", "Host: " + uri.getAuthority() + "\r\n", null));
        assertEquals(200, a.status(), a.body());
    }

    /**
     * serve in a child JVM whose heap holds the buffers of one or two predictors of a wide
     * convolution (1,024 filters over 128x128: 65 MB each), asked for six predictions at once: each
     * gets an answer, 200 or a 503 of one line, and no OutOfMemoryError reaches the log.
     */
    @Test
    void predictionsBeyondTheHeapAre503WithOneLineNotOutOfMemory(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("wide.bin");
        Models.save(Architecture.build(Shape.image(128, 128), "conv1024x3,pool126", 10, 1), model);
        // an empty data folder: MNIST wherever the machine keeps it would not fit this 128x128 model
        Path noData = Files.createDirectories(dir.resolve("no-data"));
        Process p = Child.start("200m", dir.resolve("logs"), "serve", "--model", model.toString(), "--data",
                noData.toString(), "--port", "0");
        try {
            Path stdout = dir.resolve("logs").resolve("stdout");
            Matcher url = null;
            for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end && p.isAlive(); ) {
                url = Pattern.compile("open http://127\\.0\\.0\\.1:([0-9]+)/ in a browser").matcher(Files.readString(stdout));
                if (url.find()) {
                    break;
                }
                url = null;
                Thread.sleep(100);
            }
            assertTrue(url != null, "serve printed no URL: " + Files.readString(stdout)
                    + Files.readString(dir.resolve("logs").resolve("stderr")));
            int childPort = Integer.parseInt(url.group(1));
            String body = "{\"pixels\": [" + String.join(",", Collections.nCopies(128 * 128, "0")) + "]}";
            String request = "POST /api/predict HTTP/1.1\r\nHost: 127.0.0.1:" + childPort + "\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body;
            List<Thread> threads = new ArrayList<>();
            List<String> answers = Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < 6; c++) {
                Thread t = new Thread(() -> {
                    try (Socket socket = new Socket()) {
                        socket.connect(new InetSocketAddress("127.0.0.1", childPort), 5000);
                        socket.setSoTimeout(60_000);
                        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                        Answer a = read(socket.getInputStream());
                        answers.add(a.status() + " " + (a.status() == 200 ? "" : a.json().get("error").asText()));
                    } catch (IOException e) {
                        answers.add("no answer: " + e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(90_000);
            }
            String err = Files.readString(dir.resolve("logs").resolve("stderr"));
            assertEquals(6, answers.size(), answers + "\n" + err);
            for (String a : answers) {
                assertTrue(a.startsWith("200") || a.startsWith("503 ") && !a.contains("\n"), answers + "\n" + err);
            }
            assertFalse(err.contains("OutOfMemoryError"), err);
            assertTrue(p.isAlive(), "serve ended: " + err);
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
