package dev.badnets.cli.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.badnets.attack.Trigger;
import dev.badnets.core.Network;
import dev.badnets.core.Predictor;
import dev.badnets.mnist.LabeledImages;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The page of {@code badnets serve} and its JSON API, on a small HTTP/1.1 server of its own:
 * <ul>
 *   <li>{@code GET /}, {@code /app.js}, {@code /style.css}: the page, shipped in the jar;</li>
 *   <li>{@code GET /figures/NAME.png}: the pictures of the model's output folder;</li>
 *   <li>{@code GET /api/info}: the models' configuration and figures, the trigger, the image size;</li>
 *   <li>{@code POST /api/predict} with {@code {"pixels": [rows x cols integers 0-255]}} (and
 *       optionally {@code "trigger": true}, which stamps the model's trigger first and returns the
 *       stamped {@code "pixels"}): each model's class and probabilities ({@link PredictRequest});</li>
 *   <li>{@code GET /api/sample?index=I}: test image I with its label.</li>
 * </ul>
 * Every refusal is a JSON {@code {"error": "..."}} of one line: 400 for a malformed request, 404 for
 * any other path, 405 (with {@code Allow}) for a method other than the path's, 408 for a request
 * that does not arrive in time, 413 for a body over {@link #MAX_BODY} bytes (no more than
 * {@code MAX_BODY + 1} are read), 421 for a {@code Host} that is not this server's, 431 for a head
 * over {@link #MAX_HEAD} bytes, 503 when the prediction workers or the memory for one more run out,
 * 500 when answering fails otherwise.
 *
 * <p>Why its own server: the JDK's reads a request's head and body on the threads that also answer
 * it, so a few clients trickling bytes held every worker. Here each connection has a thread of its
 * own (at most {@link #CONNECTIONS}; past that, a 503 at once), every read waits at most
 * {@link #READ_TIMEOUT_MILLIS} and a whole request at most {@link #REQUEST_TIMEOUT_MILLIS}, and only a
 * request that has fully arrived asks for one of the {@link #THREADS} prediction workers (a
 * {@link Predictor} per model and its buffers, so a prediction allocates nothing beyond the JSON it
 * reads and writes). A new worker is made only when the heap has room for two more of the size the
 * first one took; otherwise the request waits up to {@link #WORKER_WAIT_MILLIS} for a free one.
 *
 * <p>DNS rebinding: a page on another site can make a browser send requests here under that site's
 * name, so a request is answered only when its {@code Host} names this server: {@code localhost},
 * {@code 127.0.0.1}, {@code [::1]}, the address it listens on or the {@code --host} given (any
 * address literal when it listens on all addresses), with this server's port.
 */
public final class PageServer implements AutoCloseable {

    /** The largest request body read, in bytes: 784 pixels take about 3 KB. */
    static final int MAX_BODY = 64 * 1024;
    /** The largest request line and headers, in bytes. */
    static final int MAX_HEAD = 8 * 1024;
    /** Prediction workers: the predictions computed at once. */
    static final int THREADS = 16;
    /** Connections served at once, each on its own thread; one more is answered 503 and closed. */
    static final int CONNECTIONS = 256;
    /** The longest one read of a request may wait for bytes. */
    static final int READ_TIMEOUT_MILLIS = 2_000;
    /** The longest a request's head and body may take to arrive, from its first byte. */
    static final int REQUEST_TIMEOUT_MILLIS = 5_000;
    /** The longest an open connection may wait for its next request. */
    static final int IDLE_TIMEOUT_MILLIS = 5_000;
    /** The longest a response may take to leave before the connection is closed. */
    static final int RESPONSE_TIMEOUT_MILLIS = 20_000;
    /** The longest a request waits for a free prediction worker before its 503. */
    static final int WORKER_WAIT_MILLIS = 2_000;

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

    /** One request, read to its end: method, path and query (raw), headers by lower-case name, body. */
    private record Request(String method, String path, String query, Map<String, String> headers, byte[] body,
                           int bodyLength, boolean keepAlive) {}

    /** One answer: status, content type, body, and headers beyond the usual ones. */
    private record Response(int status, String type, byte[] body, Map<String, String> headers) {
        static Response json(int status, byte[] body) {
            return new Response(status, JSON, body, Map.of());
        }
    }

    /** A request refused: the status, the message of the JSON error, and extra headers. */
    private static final class Refusal extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final transient Map<String, String> headers;

        Refusal(int status, String message) {
            this(status, message, Map.of());
        }

        Refusal(int status, String message, Map<String, String> headers) {
            super(message, null, false, false);
            this.status = status;
            this.headers = headers;
        }
    }

    @FunctionalInterface
    private interface Handler {
        Response handle(Request request) throws Refusal;
    }

    private record Route(String method, Handler handler) {}

    private final Content content;
    private final byte[] info;
    private final Map<String, Route> routes = new HashMap<>();
    private final Workers workers;
    private final ServerSocket listener;
    private final Set<String> hostNames;
    private final boolean anyAddress;
    private final ThreadPoolExecutor connections;
    private final ScheduledExecutorService watchdog;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private PageServer(Content content, InetSocketAddress address) throws IOException {
        this.content = content;
        this.info = MAPPER.writeValueAsBytes(content.info());
        this.workers = new Workers(content);
        for (String name : PAGE) {
            byte[] bytes = resource(name);
            routes.put(name.equals("index.html") ? "/" : "/" + name,
                    new Route("GET", r -> new Response(200, type(name), bytes, Map.of())));
        }
        content.figures().forEach((name, bytes) ->
                routes.put("/figures/" + name, new Route("GET", r -> new Response(200, "image/png", bytes, Map.of()))));
        routes.put("/api/info", new Route("GET", r -> Response.json(200, info)));
        routes.put("/api/predict", new Route("POST", this::predict));
        routes.put("/api/sample", new Route("GET", this::sample));

        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(address, 64);
        InetAddress bound = listener.getInetAddress();
        anyAddress = bound.isAnyLocalAddress();
        String given = address.getHostString().toLowerCase(Locale.ROOT);
        hostNames = new HashSet<>(List.of("localhost", "127.0.0.1", "[::1]", literal(bound),
                given.contains(":") && !given.startsWith("[") ? "[" + given + "]" : given));

        AtomicInteger threadCount = new AtomicInteger();
        connections = new ThreadPoolExecutor(0, CONNECTIONS, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "badnets-serve-" + threadCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "badnets-serve-watchdog");
            t.setDaemon(true);
            return t;
        });
        acceptor = new Thread(this::accept, "badnets-serve-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Serves {@code content} at {@code address} (port 0: any free port) until {@link #close()}.
     *
     * @throws java.net.BindException when the port is taken or the address is not this machine's
     */
    static PageServer start(InetSocketAddress address, Content content) throws IOException {
        PageServer page = new PageServer(content, address);
        page.acceptor.start();
        return page;
    }

    /** The page's address, e.g. {@code http://127.0.0.1:8080/}. */
    URI uri() {
        return URI.create("http://" + literal(listener.getInetAddress()) + ":" + listener.getLocalPort() + "/");
    }

    /** Stops accepting, gives running requests a second to finish, then closes every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing anyway
        }
        connections.shutdown();
        try {
            if (!connections.awaitTermination(1, TimeUnit.SECONDS)) {
                open.forEach(PageServer::closeQuietly); // unblocks the reads of idle connections
                connections.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        open.forEach(PageServer::closeQuietly);
        watchdog.shutdownNow();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void accept() {
        while (!closed) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue; // a connection that failed while being accepted: the next one
            }
            try {
                connections.execute(() -> connection(socket));
            } catch (RejectedExecutionException e) {
                // every connection thread is taken: say so at once (a few bytes never block a fresh socket)
                try (socket) {
                    write(socket.getOutputStream(), "GET", refusal(new Refusal(503, "the server has "
                            + CONNECTIONS + " connections open, its most; try again in a moment",
                            Map.of("Retry-After", "1"))), false);
                } catch (IOException ignored) {
                    // the client went away
                }
            }
        }
    }

    /** One connection: its requests one after another, until it closes, idles or errs. */
    private void connection(Socket socket) {
        open.add(socket);
        try (socket) {
            // head and body leave in two writes: with Nagle's algorithm the second would wait for the
            // client's delayed acknowledgement, 40 ms on Linux, for every answer
            socket.setTcpNoDelay(true);
            Reader in = new Reader(socket);
            OutputStream out = socket.getOutputStream();
            boolean keepAlive = true;
            while (keepAlive && !closed) {
                if (!in.awaitRequest()) {
                    return; // closed or idle: nothing was started, nothing to answer
                }
                Response response;
                String method = "GET";
                boolean unread = false;
                try {
                    Request request = in.request(out);
                    method = request.method();
                    keepAlive = request.keepAlive();
                    response = answer(request);
                } catch (Refusal refusal) {
                    keepAlive = false; // the rest of a refused request is not read: the stream is out of step
                    unread = true;
                    response = refusal(refusal);
                }
                ScheduledFuture<?> deadline = watchdog.schedule(() -> closeQuietly(socket),
                        RESPONSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
                try {
                    write(out, method, response, keepAlive);
                } finally {
                    deadline.cancel(false);
                }
                if (unread) {
                    drain(socket);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or a bug: the connection closes; the server goes on
        } finally {
            open.remove(socket);
        }
    }

    /**
     * Ends a connection whose request was refused unread: closing at once with bytes still coming
     * would reset it, and the client could lose the answer before reading it. So the answer's end is
     * signalled, and what the client is still sending is read and dropped for at most a second or
     * 1 MB (a client that sends more is cut off then).
     */
    private static void drain(Socket socket) throws IOException {
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        byte[] sink = new byte[8192];
        long end = System.nanoTime() + 1_000_000_000L;
        socket.setSoTimeout(250);
        try {
            for (long total = 0; total < (1 << 20) && System.nanoTime() < end; ) {
                int n = in.read(sink);
                if (n < 0) {
                    return;
                }
                total += n;
            }
        } catch (SocketTimeoutException e) {
            // the client has stopped sending: close now
        }
    }

    /** Routes a request that has arrived whole: Host, method and path checked in that order. */
    private Response answer(Request request) throws Refusal {
        checkHost(request.headers().get("host"));
        String method = request.method();
        Route route = routes.get(request.path());
        if (!method.equals("GET") && !method.equals("POST")) {
            throw new Refusal(405, "method " + method + " is not allowed; use " + (route == null ? "GET or POST"
                    : route.method()), Map.of("Allow", route == null ? "GET, POST" : route.method()));
        }
        if (route == null) {
            throw new Refusal(404, "no such page: " + request.path());
        }
        if (!route.method().equals(method)) {
            throw new Refusal(405, request.path() + " takes " + route.method() + ", not " + method,
                    Map.of("Allow", route.method()));
        }
        try {
            return route.handler().handle(request);
        } catch (OutOfMemoryError e) {
            throw new Refusal(503, "the server ran out of memory answering this request; try again in a moment",
                    Map.of("Retry-After", "1"));
        } catch (RuntimeException e) { // a bug, or a model that cannot answer (non-finite outputs): one line, not silence
            throw new Refusal(500, "the server could not answer this request (" + shorten(String.valueOf(e.getMessage()))
                    + ")");
        }
    }

    /** Refuses a {@code Host} that is not this server's name and port (see the class comment). */
    private void checkHost(String host) throws Refusal {
        if (host == null) {
            throw new Refusal(400, "the request has no Host header; send Host: " + uri().getAuthority());
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        int colon = h.lastIndexOf(':');
        String name = colon > h.lastIndexOf(']') ? h.substring(0, colon) : h;
        String port = colon > h.lastIndexOf(']') ? h.substring(colon + 1) : "80";
        boolean literal = name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}|\\[[0-9a-f:.]+\\]");
        if (!port.equals(Integer.toString(listener.getLocalPort()))
                || !(hostNames.contains(name) || anyAddress && literal)) {
            throw new Refusal(421, "Host " + shorten(host) + " is not this server's address (a guard against DNS "
                    + "rebinding); open " + uri() + " instead");
        }
    }

    /** {@code POST /api/predict}: every model's class and probabilities for one image. */
    private Response predict(Request request) throws Refusal {
        Worker w = workers.acquire();
        try {
            boolean stamp;
            try {
                stamp = PredictRequest.parse(request.body(), request.bodyLength(), content.rows(), content.cols(),
                        w.pixels);
            } catch (PredictRequest.Invalid e) {
                throw new Refusal(400, e.getMessage());
            }
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
                putPixels(answer, w.pixels, 0, w.pixels.length);
            }
            return Response.json(200, bytes(answer));
        } finally {
            workers.release(w);
        }
    }

    /** {@code GET /api/sample?index=I}: test image I, its label, and how many there are. */
    private Response sample(Request request) throws Refusal {
        LabeledImages test = content.test();
        if (test == null) {
            throw new Refusal(404, "no test images: serve was started without data (pass --data DIR)");
        }
        String query = request.query();
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
        return Response.json(200, bytes(answer));
    }

    private static void putPixels(ObjectNode json, byte[] pixels, int from, int count) {
        ArrayNode out = json.putArray("pixels");
        for (int i = 0; i < count; i++) {
            out.add(pixels[from + i] & 0xFF);
        }
    }

    /**
     * The prediction workers: at most {@link #THREADS}, made as requests need them while the heap
     * has room, each handed to one request at a time.
     */
    private static final class Workers {
        private final Content content;
        private final ArrayBlockingQueue<Worker> idle = new ArrayBlockingQueue<>(THREADS);
        private int made;
        /** What the first worker allocated, its predictors' buffers included; 0 until then. */
        private long bytesPerWorker;

        Workers(Content content) {
            this.content = content;
        }

        /** A free worker: an idle one, a new one when allowed, else the first freed within the wait. */
        Worker acquire() throws Refusal {
            Worker w = idle.poll();
            if (w != null) {
                return w;
            }
            if (reserve()) {
                try {
                    return made();
                } catch (OutOfMemoryError e) {
                    unreserve();
                    // fall through: wait for a worker that exists
                }
            }
            try {
                w = idle.poll(WORKER_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w == null) {
                throw new Refusal(503, "all prediction workers are busy or there is no memory for another; "
                        + "try again in a moment", Map.of("Retry-After", "1"));
            }
            return w;
        }

        void release(Worker w) {
            idle.offer(w);
        }

        /** Claims the right to make one more worker: below the cap, and room for two more of the first's size. */
        private synchronized boolean reserve() {
            Runtime rt = Runtime.getRuntime();
            long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
            if (made >= THREADS || made > 0 && free < 2 * bytesPerWorker) {
                return false;
            }
            made++;
            return true;
        }

        private synchronized void unreserve() {
            made--;
        }

        private Worker made() {
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            Worker w = new Worker(content);
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            synchronized (this) {
                bytesPerWorker = Math.max(bytesPerWorker, bytes);
            }
            return w;
        }
    }

    /** What one prediction uses: the image, a predictor per model with its buffers, the probabilities. */
    private static final class Worker {
        final byte[] pixels;
        final Predictor[] predictors;
        final float[][] probabilities;

        /** Makes the predictors and runs each once, so that every buffer exists (or fails) now. */
        Worker(Content content) {
            pixels = new byte[content.rows() * content.cols()];
            predictors = new Predictor[content.models().size()];
            probabilities = new float[predictors.length][];
            for (int m = 0; m < predictors.length; m++) {
                Network net = content.models().get(m).network();
                predictors[m] = net.predictor();
                probabilities[m] = new float[net.classes()];
                predictors[m].probabilities(pixels, probabilities[m]);
            }
        }
    }

    /**
     * Reads requests from one connection: every read waits at most {@link #READ_TIMEOUT_MILLIS}, and
     * a request's head and body together at most {@link #REQUEST_TIMEOUT_MILLIS} from its first byte.
     */
    private static final class Reader {
        private final Socket socket;
        private final InputStream in;
        private final byte[] buffer = new byte[8192];
        private int pos;
        private int limit;
        private long deadline;

        Reader(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
        }

        /** Waits up to {@link #IDLE_TIMEOUT_MILLIS} for the next request's first byte; false when none comes. */
        boolean awaitRequest() throws IOException {
            if (pos < limit) {
                deadline = System.nanoTime() + REQUEST_TIMEOUT_MILLIS * 1_000_000L;
                return true;
            }
            socket.setSoTimeout(IDLE_TIMEOUT_MILLIS);
            try {
                int n = in.read(buffer, 0, buffer.length);
                if (n <= 0) {
                    return false;
                }
                pos = 0;
                limit = n;
                deadline = System.nanoTime() + REQUEST_TIMEOUT_MILLIS * 1_000_000L;
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }

        /** The request whose first byte has arrived; {@code out} takes a 100 Continue when the client waits for one. */
        Request request(OutputStream out) throws IOException, Refusal {
            byte[] head = new byte[MAX_HEAD];
            int n = 0;
            while (n < 4 || head[n - 4] != '\r' || head[n - 3] != '\n' || head[n - 2] != '\r' || head[n - 1] != '\n') {
                if (n == MAX_HEAD) {
                    throw new Refusal(431, "the request line and headers are over " + MAX_HEAD + " bytes");
                }
                head[n++] = (byte) readByte();
            }
            String[] lines = new String(head, 0, n - 4, StandardCharsets.ISO_8859_1).split("\r\n", -1);
            String[] start = lines[0].split(" ", -1);
            if (start.length != 3 || start[0].isEmpty() || !start[0].chars().allMatch(c -> c >= 'A' && c <= 'Z')) {
                throw new Refusal(400, "the request line is not METHOD PATH HTTP/1.1");
            }
            if (!start[2].equals("HTTP/1.1") && !start[2].equals("HTTP/1.0")) {
                throw new Refusal(400, "the request is " + shorten(start[2]) + ", not HTTP/1.1");
            }
            if (!start[1].startsWith("/")) {
                throw new Refusal(400, "the request's target is not a path starting with /");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                String line = lines[i];
                int colon = line.indexOf(':');
                String name = colon > 0 ? line.substring(0, colon) : "";
                if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                    throw new Refusal(400, "header line " + i + " is not NAME: VALUE");
                }
                String key = name.toLowerCase(Locale.ROOT);
                if (headers.containsKey(key) && (key.equals("host") || key.equals("content-length")
                        || key.equals("transfer-encoding"))) {
                    throw new Refusal(400, "the header " + name + " is given twice");
                }
                headers.merge(key, line.substring(colon + 1).strip(), (a, b) -> a + ", " + b);
            }
            boolean http11 = start[2].equals("HTTP/1.1");
            String connection = headers.getOrDefault("connection", "").toLowerCase(Locale.ROOT);
            boolean keepAlive = http11 ? !connection.contains("close") : connection.contains("keep-alive");
            byte[] body = new byte[0];
            int length = 0;
            String chunked = headers.get("transfer-encoding");
            String declared = headers.get("content-length");
            if (chunked != null || declared != null) {
                if (chunked != null && (declared != null || !chunked.equalsIgnoreCase("chunked"))) {
                    throw new Refusal(400, "Transfer-Encoding must be chunked alone, without Content-Length");
                }
                if (declared != null && !declared.matches("[0-9]{1,9}")) {
                    throw new Refusal(400, "Content-Length " + shorten(declared) + " is not a length");
                }
                if (declared != null && Integer.parseInt(declared) > MAX_BODY) {
                    throw new Refusal(413, "the body is over " + MAX_BODY + " bytes");
                }
                if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
                    out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                body = new byte[MAX_BODY + 1];
                length = chunked != null ? chunked(body) : fixed(body, Integer.parseInt(declared));
            }
            String target = start[1];
            int q = target.indexOf('?');
            return new Request(start[0], q < 0 ? target : target.substring(0, q), q < 0 ? null : target.substring(q + 1),
                    headers, body, length, keepAlive);
        }

        private int fixed(byte[] body, int length) throws IOException, Refusal {
            for (int n = 0; n < length; ) {
                n += read(body, n, length - n);
            }
            return length;
        }

        /** A chunked body (RFC 9112 7.1) into {@code body}; over {@link #MAX_BODY} bytes is a 413. */
        private int chunked(byte[] body) throws IOException, Refusal {
            int n = 0;
            while (true) {
                String size = line().split(";", 2)[0].strip();
                if (!size.matches("[0-9a-fA-F]{1,8}")) {
                    throw new Refusal(400, "a chunk size is not hexadecimal");
                }
                long chunk = Long.parseLong(size, 16);
                if (chunk == 0) {
                    while (!line().isEmpty()) {
                        // trailer fields, ignored
                    }
                    return n;
                }
                if (n + chunk > MAX_BODY) {
                    throw new Refusal(413, "the body is over " + MAX_BODY + " bytes");
                }
                for (long end = n + chunk; n < end; ) {
                    n += read(body, n, (int) (end - n));
                }
                if (!line().isEmpty()) {
                    throw new Refusal(400, "a chunk does not end where its size says");
                }
            }
        }

        /** One CRLF-terminated line of a chunked body, without the CRLF; at most 1 KB. */
        private String line() throws IOException, Refusal {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = readByte()) != '\n') {
                if (line.length() > 1024) {
                    throw new Refusal(400, "a chunk line is over 1 KB");
                }
                line.append((char) b);
            }
            if (line.length() == 0 || line.charAt(line.length() - 1) != '\r') {
                throw new Refusal(400, "a chunk line does not end with CRLF");
            }
            return line.substring(0, line.length() - 1);
        }

        private int readByte() throws IOException, Refusal {
            if (pos == limit) {
                fill();
            }
            return buffer[pos++] & 0xFF;
        }

        private int read(byte[] b, int off, int len) throws IOException, Refusal {
            if (pos == limit) {
                fill();
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buffer, pos, b, off, n);
            pos += n;
            return n;
        }

        /** One read within both deadlines; a client that stops sending gets a 408. */
        private void fill() throws IOException, Refusal {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw late();
            }
            socket.setSoTimeout((int) Math.min(READ_TIMEOUT_MILLIS, left));
            int n;
            try {
                n = in.read(buffer, 0, buffer.length);
            } catch (SocketTimeoutException e) {
                throw late();
            }
            if (n < 0) {
                throw new IOException("the client closed the connection inside a request");
            }
            pos = 0;
            limit = n;
        }

        private static Refusal late() {
            return new Refusal(408, "the request did not arrive in time: each read may wait "
                    + READ_TIMEOUT_MILLIS / 1000 + " s, the whole request " + REQUEST_TIMEOUT_MILLIS / 1000 + " s");
        }
    }

    private static Response refusal(Refusal refusal) {
        ObjectNode error = MAPPER.createObjectNode().put("error", refusal.getMessage());
        Map<String, String> headers = new LinkedHashMap<>(refusal.headers);
        return new Response(refusal.status, JSON, bytes(error), headers);
    }

    /** Writes the status line, the headers and (except for HEAD) the body. */
    private static void write(OutputStream out, String method, Response r, boolean keepAlive) throws IOException {
        String type = r.type();
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status()))
                .append("\r\n");
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", type.startsWith("text/") || type.endsWith("javascript") || type.equals(JSON)
                ? type + "; charset=utf-8" : type);
        headers.put("Content-Length", Integer.toString(r.body().length));
        headers.put("Cache-Control", "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        // everything the page needs is its own: no inline script, nothing from elsewhere
        headers.put("Content-Security-Policy", "default-src 'self'; img-src 'self'; frame-ancestors 'none'");
        headers.putAll(r.headers());
        if (!keepAlive) {
            headers.put("Connection", "close");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!method.equals("HEAD")) { // HEAD is refused with 405, and a HEAD answer has no body
            out.write(r.body());
        }
        out.flush();
    }

    private static String reason(int status) {
        switch (status) {
            case 200: return "OK";
            case 400: return "Bad Request";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 408: return "Request Timeout";
            case 413: return "Content Too Large";
            case 421: return "Misdirected Request";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 503: return "Service Unavailable";
            default: return "Status";
        }
    }

    private static byte[] bytes(ObjectNode json) {
        try {
            return MAPPER.writeValueAsBytes(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An address as a URL writes it: IPv6 in brackets. */
    private static String literal(InetAddress address) {
        String host = address.getHostAddress();
        return host.contains(":") ? "[" + host.replaceFirst("%.*", "") + "]" : host;
    }

    /** A client's text quoted back, cut to a length that keeps the message one short line. */
    private static String shorten(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 40 ? printable : printable.substring(0, 37) + "...";
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closed anyway
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
