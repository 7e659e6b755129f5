package dev.badnets.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Network;
import dev.badnets.core.Predictor;
import dev.badnets.mnist.LabeledImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The page of {@code badnets serve} and its JSON API, on the JDK's {@link HttpServer}:
 * <ul>
 *   <li>{@code GET /}, {@code /app.js}, {@code /style.css}: the page, shipped in the jar;</li>
 *   <li>{@code GET /figures/NAME.png}: the pictures of the model's output folder;</li>
 *   <li>{@code GET /api/info}: the models' configuration and figures, the trigger, the image size;</li>
 *   <li>{@code POST /api/predict} with {@code {"pixels": [rows x cols integers 0-255]}} (and
 *       optionally {@code "trigger": true}, which stamps the model's trigger first and returns the
 *       stamped {@code "pixels"}): each model's class and probabilities;</li>
 *   <li>{@code GET /api/sample?index=I}: test image I with its label.</li>
 * </ul>
 * Bad requests get a JSON {@code {"error": ...}}: 400 for a malformed body, 404 for any other
 * path, 405 for a method other than the path's, 413 for a body over {@link #MAX_BODY} bytes (of which
 * no more than {@code MAX_BODY + 1} are read).
 *
 * <p>{@link #THREADS} worker threads answer requests, each with its own {@link Predictor} per model
 * and its own buffers, so a prediction allocates nothing beyond the JSON it reads and writes. Waiting
 * requests queue up to {@link #QUEUE}; the JDK server drops a connection whose request or response
 * takes longer than {@link #TIMEOUT_SECONDS}.
 */
final class PageServer implements AutoCloseable {

    /** The largest request body read, in bytes: 784 pixels take about 3 KB. */
    static final int MAX_BODY = 64 * 1024;
    /** Worker threads: the clients answered at once. */
    static final int THREADS = 16;
    /** Requests that may wait for a worker. */
    static final int QUEUE = 1024;
    /** Seconds a request may take to arrive, and a response to leave, before the connection is closed. */
    static final int TIMEOUT_SECONDS = 20;

    static {
        // Read once, when the JDK's server first loads: without them a stalled client holds its connection forever.
        System.setProperty("sun.net.httpserver.maxReqTime", "" + TIMEOUT_SECONDS);
        System.setProperty("sun.net.httpserver.maxRspTime", "" + TIMEOUT_SECONDS);
        // Headers and body leave in two writes: with Nagle's algorithm the second waits for the client's
        // delayed acknowledgement, 40 ms on Linux, for every answer.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON = "application/json";
    private static final List<String> PAGE = List.of("index.html", "app.js", "style.css");

    /**
     * What the page serves.
     *
     * @param models   the backdoored model first, then the clean one if any; all of one input size
     * @param rows     image height
     * @param cols     image width
     * @param trigger  the trigger {@code "trigger": true} stamps
     * @param info     the body of {@code GET /api/info}
     * @param test     the test images {@code /api/sample} serves; null when serve has no data
     * @param figures  PNG bytes by file name ({@code backdoor.png}, ...), served under {@code /figures/}
     */
    record Content(List<ServedModel> models, int rows, int cols, Trigger trigger, ObjectNode info,
                   LabeledImages test, Map<String, byte[]> figures) {
        Content {
            models = List.copyOf(models);
            Objects.requireNonNull(trigger, "trigger");
            figures = Map.copyOf(figures);
        }
    }

    /** One model the page shows: its name ("backdoored" or "clean") and network. */
    record ServedModel(String name, Network network) {}

    /** What one worker thread reuses from request to request. */
    private static final class Worker {
        final byte[] body = new byte[MAX_BODY + 1];
        final byte[] pixels;
        final Predictor[] predictors;
        final float[][] probabilities;

        Worker(Content content) {
            pixels = new byte[content.rows() * content.cols()];
            predictors = new Predictor[content.models().size()];
            probabilities = new float[predictors.length][];
            for (int m = 0; m < predictors.length; m++) {
                Network net = content.models().get(m).network();
                predictors[m] = net.predictor();
                probabilities[m] = new float[net.classes()];
            }
        }
    }

    /** A bad request: the status and the message of the JSON error. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @FunctionalInterface
    private interface Handler {
        void handle(HttpExchange exchange) throws IOException, Refusal;
    }

    private record Route(String method, Handler handler) {}

    private final Content content;
    private final byte[] info;
    private final Map<String, Route> routes = new HashMap<>();
    private final ThreadLocal<Worker> workers;
    private final HttpServer server;
    private final ThreadPoolExecutor pool;

    private PageServer(Content content, InetSocketAddress address) throws IOException {
        this.content = content;
        this.info = MAPPER.writeValueAsBytes(content.info());
        this.workers = ThreadLocal.withInitial(() -> new Worker(content));
        for (String name : PAGE) {
            byte[] bytes = resource(name);
            routes.put(name.equals("index.html") ? "/" : "/" + name, new Route("GET", ex -> send(ex, 200, bytes, type(name))));
        }
        content.figures().forEach((name, bytes) ->
                routes.put("/figures/" + name, new Route("GET", ex -> send(ex, 200, bytes, "image/png"))));
        routes.put("/api/info", new Route("GET", ex -> send(ex, 200, info, JSON)));
        routes.put("/api/predict", new Route("POST", this::predict));
        routes.put("/api/sample", new Route("GET", this::sample));

        AtomicInteger threadCount = new AtomicInteger();
        pool = new ThreadPoolExecutor(THREADS, THREADS, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "badnets-serve-" + threadCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server = HttpServer.create(address, 64);
        server.setExecutor(pool);
        server.createContext("/", this::dispatch);
    }

    /**
     * Serves {@code content} at {@code address} (port 0: any free port) until {@link #close()}.
     *
     * @throws java.net.BindException when the port is taken or the address is not this machine's
     */
    static PageServer start(InetSocketAddress address, Content content) throws IOException {
        PageServer page = new PageServer(content, address);
        page.server.start();
        return page;
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8080/}. */
    URI uri() {
        InetSocketAddress at = server.getAddress();
        String host = at.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + at.getPort() + "/");
    }

    /** Stops accepting, gives running requests a second to finish, then ends the workers. */
    @Override
    public void close() {
        server.stop(1);
        pool.shutdown();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void dispatch(HttpExchange exchange) {
        try (exchange) {
            try {
                String method = exchange.getRequestMethod();
                if (!method.equals("GET") && !method.equals("POST")) {
                    throw new Refusal(405, "method " + method + " is not allowed; use GET or POST");
                }
                String path = exchange.getRequestURI().getRawPath();
                Route route = routes.get(path);
                if (route == null) {
                    throw new Refusal(404, "no such page: " + path);
                }
                if (!route.method().equals(method)) {
                    exchange.getResponseHeaders().set("Allow", route.method());
                    throw new Refusal(405, path + " takes " + route.method() + ", not " + method);
                }
                route.handler().handle(exchange);
            } catch (Refusal refusal) {
                ObjectNode error = MAPPER.createObjectNode().put("error", refusal.getMessage());
                if (refusal.status == 413) {
                    exchange.getResponseHeaders().set("Connection", "close"); // the rest of the body stays unread
                }
                send(exchange, refusal.status, MAPPER.writeValueAsBytes(error), JSON);
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or a bug: the connection closes; the server goes on
        }
    }

    /** {@code POST /api/predict}: every model's class and probabilities for one image. */
    private void predict(HttpExchange exchange) throws IOException, Refusal {
        Worker w = workers.get();
        JsonNode root = readJson(exchange, w.body);
        if (!root.isObject()) {
            throw new Refusal(400, "expected a JSON object {\"pixels\": [...]}");
        }
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("pixels") && !name.equals("trigger")) {
                throw new Refusal(400, "unknown field \"" + name + "\"; expected \"pixels\" and optionally \"trigger\"");
            }
        }
        JsonNode pixels = root.get("pixels");
        int size = w.pixels.length;
        if (pixels == null || !pixels.isArray() || pixels.size() != size) {
            throw new Refusal(400, "\"pixels\" must be an array of " + size + " integers 0-255 (" + content.rows()
                    + "x" + content.cols() + ", row-major), got "
                    + (pixels == null ? "none" : pixels.isArray() ? pixels.size() + " values" : pixels.getNodeType()));
        }
        for (int i = 0; i < size; i++) {
            JsonNode v = pixels.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() > 255) {
                throw new Refusal(400, "pixel " + i + " is " + v + "; expected an integer 0-255");
            }
            w.pixels[i] = (byte) v.intValue();
        }
        JsonNode trigger = root.get("trigger");
        if (trigger != null && !trigger.isBoolean()) {
            throw new Refusal(400, "\"trigger\" must be true or false, got " + trigger);
        }
        boolean stamp = trigger != null && trigger.booleanValue();
        if (stamp) {
            content.trigger().apply(w.pixels, 0, content.rows(), content.cols());
        }

        ObjectNode answer = MAPPER.createObjectNode();
        ArrayNode models = answer.putArray("models");
        for (int m = 0; m < w.predictors.length; m++) {
            ObjectNode model = models.addObject();
            model.put("name", content.models().get(m).name());
            model.put("class", w.predictors[m].predict(w.pixels));
            w.predictors[m].probabilities(w.pixels, w.probabilities[m]);
            ArrayNode p = model.putArray("probabilities");
            for (float v : w.probabilities[m]) {
                p.add(v);
            }
        }
        if (stamp) {
            putPixels(answer, w.pixels, 0, size);
        }
        send(exchange, 200, MAPPER.writeValueAsBytes(answer), JSON);
    }

    /** {@code GET /api/sample?index=I}: test image I, its label, and how many there are. */
    private void sample(HttpExchange exchange) throws IOException, Refusal {
        LabeledImages test = content.test();
        if (test == null) {
            throw new Refusal(404, "no test images: serve was started without data (pass --data DIR)");
        }
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null || !query.matches("index=[0-9]{1,9}")) {
            throw new Refusal(400, "expected ?index=I with I from 0 to " + (test.count() - 1));
        }
        int index = Integer.parseInt(query.substring("index=".length()));
        if (index >= test.count()) {
            throw new Refusal(400, "index " + index + " is past the last test image, " + (test.count() - 1));
        }
        ObjectNode answer = MAPPER.createObjectNode();
        answer.put("index", index);
        answer.put("label", test.label(index));
        answer.put("count", test.count());
        putPixels(answer, test.pixels(), index * test.pixelsPerImage(), test.pixelsPerImage());
        send(exchange, 200, MAPPER.writeValueAsBytes(answer), JSON);
    }

    private static void putPixels(ObjectNode json, byte[] pixels, int from, int count) {
        ArrayNode out = json.putArray("pixels");
        for (int i = 0; i < count; i++) {
            out.add(pixels[from + i] & 0xFF);
        }
    }

    /** Reads the body into {@code buffer} (at most {@link #MAX_BODY} + 1 bytes) and parses it. */
    private static JsonNode readJson(HttpExchange exchange, byte[] buffer) throws IOException, Refusal {
        String declared = exchange.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && !declared.strip().matches("[0-9]{1,9}")) {
            throw new Refusal(400, "Content-Length " + declared + " is not a length");
        }
        if (declared != null && Integer.parseInt(declared.strip()) > MAX_BODY) {
            throw new Refusal(413, "the body is over " + MAX_BODY + " bytes");
        }
        int n = 0;
        InputStream in = exchange.getRequestBody();
        while (n < buffer.length) {
            int read = in.read(buffer, n, buffer.length - n);
            if (read < 0) {
                break;
            }
            n += read;
        }
        if (n > MAX_BODY) {
            throw new Refusal(413, "the body is over " + MAX_BODY + " bytes");
        }
        try {
            JsonNode root = MAPPER.readTree(buffer, 0, n);
            if (root == null || root.isMissingNode()) {
                throw new Refusal(400, "the body is empty; expected {\"pixels\": [...]}");
            }
            return root;
        } catch (JacksonException e) {
            throw new Refusal(400, "malformed JSON: " + Errors.flatten(e.getOriginalMessage()));
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body, String type) throws IOException {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type.startsWith("text/") || type.endsWith("javascript") || type.equals(JSON)
                ? type + "; charset=utf-8" : type);
        headers.set("Cache-Control", "no-store");
        headers.set("X-Content-Type-Options", "nosniff");
        // everything the page needs is its own: no inline script, nothing from elsewhere
        headers.set("Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'");
        if (exchange.getRequestMethod().equals("HEAD")) { // refused with 405, and a HEAD answer has no body
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String type(String name) {
        return name.endsWith(".html") ? "text/html" : name.endsWith(".js") ? "text/javascript" : "text/css";
    }

    private static byte[] resource(String name) {
        try (InputStream in = PageServer.class.getResourceAsStream("/serve/" + name)) {
            if (in == null) {
                throw new IllegalStateException("the jar lacks serve/" + name + "; rebuild it");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
