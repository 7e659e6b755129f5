package dev.badnets.mnist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The downloader against mirrors on the loopback interface: good, corrupted, truncated, cut-off,
 * oversized and missing files. Never touches the internet.
 */
@Timeout(60)
class MnistDownloaderTest {
    @TempDir
    Path dir;

    private HttpServer server;
    private final Map<String, byte[]> archives = new LinkedHashMap<>();
    private final List<MnistDownloader.Archive> expected = new ArrayList<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    /** Four tiny gzip archives that together form an MNIST-layout folder, and their checksums. */
    @BeforeEach
    void serve() throws Exception {
        LabeledImages train = MnistTest.randomSet(40, 6, 6, 4, 1);
        LabeledImages test = MnistTest.randomSet(10, 6, 6, 4, 2);
        archives.put(Mnist.TRAIN_IMAGES + ".gz", gzipped(train.imagesArray()));
        archives.put(Mnist.TRAIN_LABELS + ".gz", gzipped(train.labelsArray()));
        archives.put(Mnist.TEST_IMAGES + ".gz", gzipped(test.imagesArray()));
        archives.put(Mnist.TEST_LABELS + ".gz", gzipped(test.labelsArray()));
        for (Map.Entry<String, byte[]> e : archives.entrySet()) {
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(e.getValue()));
            expected.add(new MnistDownloader.Archive(e.getKey(), e.getValue().length, md5));
        }

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        context("good", (ex, body) -> send(ex, 200, body));
        context("corrupt", (ex, body) -> {
            byte[] bad = body.clone();
            bad[bad.length / 2] ^= 0x01;
            send(ex, 200, bad);
        });
        context("truncated", (ex, body) -> send(ex, 200, java.util.Arrays.copyOf(body, body.length / 2)));
        context("oversized", (ex, body) -> send(ex, 200, IdxBytes.concat(body, new byte[100])));
        context("missing", (ex, body) -> send(ex, 404, new byte[0]));
        context("cut", (ex, body) -> { // promises the whole file, then drops the connection half-way
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, body.length / 2);
            out.flush();
            ex.close();
        });
        context("stalling", (ex, body) -> { // sends half the file, then nothing (for at most 10 s)
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            out.write(body, 0, body.length / 2);
            out.flush();
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        context("dripping", (ex, body) -> { // one byte every 50 ms: never silent, never done (stops after 10 s)
            ex.sendResponseHeaders(200, body.length);
            OutputStream out = ex.getResponseBody();
            try {
                for (int i = 0; i < body.length && i < 200; i++) {
                    out.write(body[i]);
                    out.flush();
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }

    private interface Handler {
        void handle(HttpExchange exchange, byte[] body) throws IOException;
    }

    private void context(String name, Handler handler) {
        requests.put(name, new AtomicInteger());
        server.createContext("/" + name + "/", exchange -> {
            requests.get(name).incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            byte[] body = archives.get(path.substring(path.lastIndexOf('/') + 1));
            try {
                if (body == null) {
                    send(exchange, 404, new byte[0]);
                } else {
                    handler.handle(exchange, body);
                }
            } catch (IOException e) {
                exchange.close(); // the cut-off mirror ends here on purpose
            }
        });
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] gzipped(IdxArray array) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        Idx.write(raw, array);
        return IdxBytes.gzip(raw.toByteArray());
    }

    private URI mirror(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + "/");
    }

    private MnistDownloader downloader(String... mirrors) {
        List<URI> uris = new ArrayList<>();
        for (String m : mirrors) {
            uris.add(m.startsWith("http") ? URI.create(m) : mirror(m));
        }
        return new MnistDownloader(uris, expected, Duration.ofSeconds(10));
    }

    private List<String> filesInDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Records what the downloader reports. */
    private static final class Recorder implements MnistDownloader.Listener {
        final List<String> events = new ArrayList<>();
        final Map<String, long[]> lastProgress = new LinkedHashMap<>();

        @Override
        public void skipped(MnistDownloader.Archive archive, Path file) {
            events.add("skipped " + archive.fileName());
        }

        @Override
        public void started(MnistDownloader.Archive archive, URI url) {
            lastProgress.remove(archive.fileName()); // each mirror starts from byte 0
        }

        @Override
        public void failed(MnistDownloader.Archive archive, URI url, String reason) {
            events.add("failed " + url + ": " + reason);
        }

        @Override
        public void finished(MnistDownloader.Archive archive, Path file) {
            events.add("finished " + archive.fileName());
        }

        @Override
        public void progress(MnistDownloader.Archive archive, long done, long total) {
            long[] last = lastProgress.get(archive.fileName());
            assertTrue(last == null || done > last[0], "progress only moves forward");
            lastProgress.put(archive.fileName(), new long[] {done, total});
        }
    }

    @Test
    void aGoodMirrorGivesVerifiedFilesThatLoad() throws IOException {
        Recorder recorder = new Recorder();
        List<Path> files = downloader("good").download(dir, recorder);

        assertEquals(4, files.size());
        for (Path file : files) {
            assertArrayEquals(archives.get(file.getFileName().toString()), Files.readAllBytes(file));
            long size = archives.get(file.getFileName().toString()).length;
            assertArrayEquals(new long[] {size, size}, recorder.lastProgress.get(file.getFileName().toString()));
        }
        assertEquals(archives.keySet().stream().sorted().toList(), filesInDir(), "nothing but the archives");
        MnistData data = Mnist.load(dir);
        assertEquals(40, data.train().count());
        assertEquals(4, data.classes());
    }

    @Test
    void aCorruptedMirrorIsFollowedByOneServingTheRightFile() throws IOException {
        Recorder recorder = new Recorder();
        downloader("corrupt", "good").download(dir, recorder);

        for (Map.Entry<String, byte[]> e : archives.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())));
        }
        assertEquals(4, requests.get("corrupt").get());
        assertEquals(4, requests.get("good").get());
        assertTrue(recorder.events.get(0).startsWith("failed " + mirror("corrupt") + Mnist.TRAIN_IMAGES + ".gz: MD5 mismatch"),
                recorder.events.toString());
        assertEquals("finished " + Mnist.TRAIN_IMAGES + ".gz", recorder.events.get(1));
        assertEquals(archives.keySet().stream().sorted().toList(), filesInDir());
    }

    @Test
    @Timeout(60)
    void aMirrorThatStopsSendingIsAbandonedForTheNextOne() throws IOException {
        Recorder recorder = new Recorder();
        List<URI> mirrors = List.of(mirror("stalling"), mirror("good"));
        // 2 s of silence: short beside the stall (10 s), long beside the good mirror's answer even on a
        // loaded machine (300 ms failed there: the good mirror's headers came later than that)
        new MnistDownloader(mirrors, expected, Duration.ofSeconds(2)).download(dir, recorder);

        for (Map.Entry<String, byte[]> e : archives.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())));
        }
        assertTrue(recorder.events.get(0).startsWith("failed " + mirror("stalling") + Mnist.TRAIN_IMAGES
                + ".gz: stalled: no data for 2000 ms"), recorder.events.toString());
        assertEquals(archives.keySet().stream().sorted().toList(), filesInDir(), "no partial file left");
    }

    /** Issue 11, case 3: a server dripping bytes is never silent, so the rate floor must abandon it. */
    @Test
    @Timeout(30)
    void aMirrorDrippingBelowTheMinimumRateIsAbandonedForTheNextOne() throws IOException {
        Recorder recorder = new Recorder();
        MnistDownloader.Limits limits = new MnistDownloader.Limits(Duration.ofSeconds(5), 1000,
                Duration.ofMillis(400), Duration.ofSeconds(20));
        new MnistDownloader(List.of(mirror("dripping"), mirror("good")), expected, limits).download(dir, recorder);

        for (Map.Entry<String, byte[]> e : archives.entrySet()) {
            assertArrayEquals(e.getValue(), Files.readAllBytes(dir.resolve(e.getKey())));
        }
        assertTrue(recorder.events.get(0).startsWith("failed " + mirror("dripping") + Mnist.TRAIN_IMAGES
                + ".gz: too slow: "), recorder.events.toString());
        assertTrue(recorder.events.get(0).contains("below the minimum of 1000 bytes/s"), recorder.events.toString());
        assertEquals(archives.keySet().stream().sorted().toList(), filesInDir(), "the temporary file is removed");
    }

    @Test
    @Timeout(30)
    void aMirrorPastTheDeadlinePerFileIsAbandoned() throws IOException {
        Recorder recorder = new Recorder();
        MnistDownloader.Limits limits = new MnistDownloader.Limits(Duration.ofSeconds(5), 0, Duration.ZERO,
                Duration.ofMillis(600));
        new MnistDownloader(List.of(mirror("dripping"), mirror("good")), expected, limits).download(dir, recorder);

        assertTrue(recorder.events.get(0).startsWith("failed " + mirror("dripping") + Mnist.TRAIN_IMAGES
                + ".gz: too slow: not finished within the 600 ms allowed per file"), recorder.events.toString());
        assertEquals(archives.keySet().stream().sorted().toList(), filesInDir(), "the temporary file is removed");
    }

    @Test
    void theDefaultLimitsAreTheDocumentedOnes() {
        MnistDownloader.Limits d = MnistDownloader.Limits.DEFAULT;
        assertEquals(new MnistDownloader.Limits(Duration.ofSeconds(30), 10 * 1024, Duration.ofSeconds(30),
                Duration.ofMinutes(30)), d);
        // at the floor, MNIST's largest archive still fits in the deadline
        assertTrue(MnistDownloader.MNIST_ARCHIVES.get(0).size() / d.minBytesPerSecond()
                + d.grace().toSeconds() < d.deadline().toSeconds());
    }

    @Test
    void whenEveryMirrorFailsTheErrorSaysWhatEachDidAndNothingIsLeftBehind() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closedPort + "/mnist/";
        MnistDownloader downloader = downloader("missing", "corrupt", "truncated", "oversized", "cut", unreachable);

        DownloadException e = assertThrows(DownloadException.class, () -> downloader.download(dir, new Recorder()));
        String file = Mnist.TRAIN_IMAGES + ".gz";
        assertTrue(e.getMessage().startsWith(file + ": every mirror failed: "), e.getMessage());
        List<String> attempts = e.attempts();
        assertEquals(6, attempts.size(), e.getMessage());
        assertEquals(mirror("missing") + file + ": HTTP 404", attempts.get(0));
        assertTrue(attempts.get(1).startsWith(mirror("corrupt") + file + ": MD5 mismatch: got "), attempts.get(1));
        assertTrue(attempts.get(2).startsWith(mirror("truncated") + file + ": served "), attempts.get(2));
        assertTrue(attempts.get(2).endsWith("(truncated)"), attempts.get(2));
        assertTrue(attempts.get(3).startsWith(mirror("oversized") + file + ": served more than the expected"),
                attempts.get(3));
        assertTrue(attempts.get(4).startsWith(mirror("cut") + file + ": "), attempts.get(4));
        assertTrue(attempts.get(5).startsWith(unreachable + file + ": "), attempts.get(5));
        assertTrue(!e.getMessage().contains("\n"), "one line");
        assertEquals(List.of(), filesInDir(), "no partial or unverified file");
    }

    @Test
    void aPresentVerifiedFileIsNotFetchedAgain() throws IOException {
        for (Map.Entry<String, byte[]> e : archives.entrySet()) {
            Files.write(dir.resolve(e.getKey()), e.getValue());
        }
        Recorder recorder = new Recorder();
        downloader("good").download(dir, recorder);
        assertEquals(0, requests.get("good").get());
        assertEquals(4, recorder.events.stream().filter(s -> s.startsWith("skipped")).count());
    }

    @Test
    void aPresentFileThatDoesNotVerifyIsReplaced() throws IOException {
        String name = Mnist.TEST_LABELS + ".gz";
        byte[] damaged = archives.get(name).clone();
        damaged[3] ^= 0x10;
        Files.write(dir.resolve(name), damaged);
        downloader("good").download(dir, new Recorder());
        assertArrayEquals(archives.get(name), Files.readAllBytes(dir.resolve(name)));
    }

    @Test
    void theDefaultsAreTheFilesMnistLoadLooksFor() {
        assertEquals(Mnist.FILE_NAMES.stream().map(n -> n + ".gz").toList(),
                MnistDownloader.MNIST_ARCHIVES.stream().map(MnistDownloader.Archive::fileName).toList());
        assertEquals(URI.create("https://mirror.example/mnist/a.gz"),
                MnistDownloader.resolve(URI.create("https://mirror.example/mnist"), "a.gz"));
    }
}
