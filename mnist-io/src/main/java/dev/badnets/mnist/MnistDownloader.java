package dev.badnets.mnist;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fetches the four original MNIST archives into a data folder. Each archive is tried on the mirrors in
 * order; it is streamed to a temporary file in the target folder, its size and MD5 checked, and only
 * then renamed into place, so the folder never holds a partial or unverified archive. An archive that
 * is already present and verifies is not fetched again.
 */
public final class MnistDownloader {

    /** An archive to fetch: its file name on the mirrors, its size in bytes (-1 if unknown) and MD5 (hex). */
    public record Archive(String fileName, long size, String md5) {
        public Archive {
            Objects.requireNonNull(fileName, "fileName");
            md5 = md5.toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The original archives with their published sizes and MD5 sums. */
    public static final List<Archive> MNIST_ARCHIVES = List.of(
            new Archive("train-images-idx3-ubyte.gz", 9_912_422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
            new Archive("train-labels-idx1-ubyte.gz", 28_881, "d53e105ee54ea40749a09fcbcd1e9432"),
            new Archive("t10k-images-idx3-ubyte.gz", 1_648_877, "9fb629c4189551a2d022fa330f9573f3"),
            new Archive("t10k-labels-idx1-ubyte.gz", 4_542, "ec29112dd5afa0611ce80d1b7f02629c"));

    /** Well-known public mirrors, tried in this order. */
    public static final List<URI> DEFAULT_MIRRORS = List.of(
            URI.create("https://ossci-datasets.s3.amazonaws.com/mnist/"),
            URI.create("https://storage.googleapis.com/cvdf-datasets/mnist/"),
            URI.create("http://yann.lecun.com/exdb/mnist/"));

    /** Hooks for a progress bar; every method has an empty default. */
    public interface Listener {
        /** {@code file} was present and verified, so it was not fetched. */
        default void skipped(Archive archive, Path file) {
        }

        /** Fetching {@code archive} from {@code url} begins; progress restarts from 0 for each mirror. */
        default void started(Archive archive, URI url) {
        }

        /** {@code done} of {@code total} bytes arrived ({@code total} is -1 when unknown). */
        default void progress(Archive archive, long done, long total) {
        }

        /** {@code url} did not deliver a verified archive; the next mirror is tried. */
        default void failed(Archive archive, URI url, String reason) {
        }

        /** {@code file} is in place and verified. */
        default void finished(Archive archive, Path file) {
        }
    }

    private static final int BUFFER = 1 << 16;

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "badnets-download-watchdog");
        thread.setDaemon(true);
        return thread;
    });

    private final List<URI> mirrors;
    private final List<Archive> archives;
    private final Duration timeout;
    private final HttpClient client;

    /** The MNIST archives from the default mirrors. */
    public MnistDownloader() {
        this(DEFAULT_MIRRORS);
    }

    /** The MNIST archives from {@code mirrors}, tried in order. */
    public MnistDownloader(List<URI> mirrors) {
        this(mirrors, MNIST_ARCHIVES, Duration.ofSeconds(30));
    }

    /**
     * Any archives from any mirrors.
     *
     * @param mirrors  base URLs; an archive's URL is the base followed by its file name
     * @param archives what to fetch and the checksums to verify
     * @param timeout  for connecting and for the response headers
     */
    public MnistDownloader(List<URI> mirrors, List<Archive> archives, Duration timeout) {
        if (mirrors.isEmpty()) {
            throw new IllegalArgumentException("at least one mirror is needed");
        }
        this.mirrors = List.copyOf(mirrors);
        this.archives = List.copyOf(archives);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .proxy(ProxySelector.getDefault()) // honours -Dhttps.proxyHost and friends; direct otherwise
                .connectTimeout(timeout)
                .build();
    }

    /**
     * Makes sure every archive is in {@code dir} (created if needed) and verified.
     *
     * @return the archive files, in the order of the archive list
     * @throws DownloadException when an archive fails on every mirror (the ones before it stay in place)
     */
    public List<Path> download(Path dir, Listener listener) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        for (Archive archive : archives) {
            Path target = dir.resolve(archive.fileName());
            if (Files.isRegularFile(target) && verifies(target, archive)) {
                listener.skipped(archive, target);
            } else {
                fetch(archive, target, listener);
                listener.finished(archive, target);
            }
            files.add(target);
        }
        return files;
    }

    /** True when {@code file} has the archive's size (if known) and MD5. */
    public static boolean verifies(Path file, Archive archive) throws IOException {
        if (archive.size() >= 0 && Files.size(file) != archive.size()) {
            return false;
        }
        MessageDigest md5 = md5();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = in.read(buffer)) > 0; ) {
                md5.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(md5.digest()).equals(archive.md5());
    }

    private void fetch(Archive archive, Path target, Listener listener) throws IOException {
        List<String> attempts = new ArrayList<>();
        for (URI mirror : mirrors) {
            URI url = resolve(mirror, archive.fileName());
            listener.started(archive, url);
            Path tmp = AtomicFiles.temporarySibling(target);
            try {
                String problem = fetchTo(url, archive, tmp, listener);
                if (problem == null) {
                    AtomicFiles.replace(tmp, target);
                    return;
                }
                attempts.add(url + ": " + problem);
                listener.failed(archive, url, problem);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                String problem = describe(e);
                attempts.add(url + ": " + problem);
                listener.failed(archive, url, problem);
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        throw new DownloadException(archive.fileName(), attempts);
    }

    /** Streams {@code url} into {@code tmp}; returns null when it verifies, else what was wrong. */
    private String fetchTo(URI url, Archive archive, Path tmp, Listener listener) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + url + " interrupted");
        }
        InputStream body = response.body();
        // The request's timeout ends when the headers arrive; a mirror that then stops sending would
        // hang the download for ever, so a watchdog closes the body after `timeout` without a byte.
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        long period = Math.max(1, timeout.toMillis() / 4);
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (System.nanoTime() - lastByte.get() > timeout.toNanos() && !stalled.getAndSet(true)) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader sees the stream end or fail, and reports the stall
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        String stall = "stalled: no data for " + timeout.toMillis() + " ms";
        try (body) {
            String problem = readBody(response, body, archive, tmp, listener, lastByte);
            return problem != null && stalled.get() ? stall : problem;
        } catch (IOException e) {
            if (stalled.get()) {
                return stall;
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    private String readBody(HttpResponse<InputStream> response, InputStream body, Archive archive, Path tmp,
                            Listener listener, AtomicLong lastByte) throws IOException {
        if (response.statusCode() != 200) {
            return "HTTP " + response.statusCode();
        }
        long total = archive.size() >= 0 ? archive.size()
                : response.headers().firstValueAsLong("Content-Length").orElse(-1);
        MessageDigest md5 = md5();
        long done = 0;
        try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             OutputStream out = Channels.newOutputStream(channel)) {
            byte[] buffer = new byte[BUFFER];
            for (int n; (n = body.read(buffer)) > 0; ) {
                lastByte.set(System.nanoTime());
                done += n;
                if (archive.size() >= 0 && done > archive.size()) {
                    return "served more than the expected " + archive.size() + " bytes";
                }
                md5.update(buffer, 0, n);
                out.write(buffer, 0, n);
                listener.progress(archive, done, total);
            }
            channel.force(true);
        }
        if (archive.size() >= 0 && done != archive.size()) {
            return "served " + done + " bytes, expected " + archive.size() + " (truncated)";
        }
        String got = HexFormat.of().formatHex(md5.digest());
        if (!got.equals(archive.md5())) {
            return "MD5 mismatch: got " + got + ", expected " + archive.md5();
        }
        return null;
    }

    static URI resolve(URI mirror, String fileName) {
        String base = mirror.toString();
        return URI.create(base.endsWith("/") ? base + fileName : base + "/" + fileName);
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        String kind = e.getClass().getSimpleName();
        return message == null || message.isBlank() ? kind : message + " (" + kind + ")";
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides MD5", e);
        }
    }
}
