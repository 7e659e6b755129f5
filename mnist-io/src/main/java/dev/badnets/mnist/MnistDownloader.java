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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Fetches the four original MNIST archives into a data folder. Each archive is tried on the mirrors in
 * order; it is streamed to a temporary file in the target folder, its size and MD5 checked, and only
 * then renamed into place, so the folder never holds a partial or unverified archive. An archive that
 * is already present and verifies is not fetched again.
 *
 * <p>A mirror is abandoned, its temporary file removed and the next mirror tried, when it sends
 * nothing for a while, averages less than a minimum rate after a grace period, or takes longer
 * than a deadline for one file ({@link Limits#DEFAULT}: 30 s of silence, 10 KB/s after the first
 * 30 s, 30 minutes per file), so a mirror dripping a byte at a time cannot hang a download.
 */
public final class MnistDownloader {

    /**
     * When a mirror is abandoned.
     *
     * @param timeout           for connecting, for the response headers, and the longest silence in the body
     * @param minBytesPerSecond the least average rate, counted from the request, once {@code grace} has passed
     * @param grace             how long a slow start is tolerated
     * @param deadline          the longest one file may take from one mirror
     */
    public record Limits(Duration timeout, long minBytesPerSecond, Duration grace, Duration deadline) {
        /** 30 s of silence, 10 KB/s after the first 30 s, 30 minutes per file (MNIST's largest is 9.9 MB). */
        public static final Limits DEFAULT = new Limits(Duration.ofSeconds(30), 10 * 1024, Duration.ofSeconds(30),
                Duration.ofMinutes(30));

        public Limits {
            Objects.requireNonNull(timeout, "timeout");
            Objects.requireNonNull(grace, "grace");
            Objects.requireNonNull(deadline, "deadline");
            if (timeout.isNegative() || timeout.isZero() || deadline.isNegative() || deadline.isZero()
                    || grace.isNegative() || minBytesPerSecond < 0) {
                throw new IllegalArgumentException("download limits must be positive: " + timeout + ", "
                        + minBytesPerSecond + " B/s, " + grace + ", " + deadline);
            }
        }

        /** The defaults with another silence timeout. */
        public static Limits withTimeout(Duration timeout) {
            return new Limits(timeout, DEFAULT.minBytesPerSecond, DEFAULT.grace, DEFAULT.deadline);
        }
    }

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
    private final Limits limits;
    private final HttpClient client;

    /** The MNIST archives from the default mirrors. */
    public MnistDownloader() {
        this(DEFAULT_MIRRORS);
    }

    /** The MNIST archives from {@code mirrors}, tried in order. */
    public MnistDownloader(List<URI> mirrors) {
        this(mirrors, MNIST_ARCHIVES, Limits.DEFAULT);
    }

    /**
     * Any archives from any mirrors.
     *
     * @param mirrors  base URLs; an archive's URL is the base followed by its file name
     * @param archives what to fetch and the checksums to verify
     * @param timeout  for connecting, for the response headers and the longest silence; the other
     *                 limits are {@link Limits#DEFAULT}'s
     */
    public MnistDownloader(List<URI> mirrors, List<Archive> archives, Duration timeout) {
        this(mirrors, archives, Limits.withTimeout(timeout));
    }

    /**
     * Any archives from any mirrors, with every limit chosen.
     *
     * @param mirrors  base URLs; an archive's URL is the base followed by its file name
     * @param archives what to fetch and the checksums to verify
     * @param limits   when a mirror is abandoned
     */
    public MnistDownloader(List<URI> mirrors, List<Archive> archives, Limits limits) {
        if (mirrors.isEmpty()) {
            throw new IllegalArgumentException("at least one mirror is needed");
        }
        this.mirrors = List.copyOf(mirrors);
        this.archives = List.copyOf(archives);
        this.limits = Objects.requireNonNull(limits, "limits");
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .proxy(ProxySelector.getDefault()) // honours -Dhttps.proxyHost and friends; direct otherwise
                .connectTimeout(limits.timeout())
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
        Duration timeout = limits.timeout();
        long start = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("download of " + url + " interrupted");
        }
        InputStream body = response.body();
        // The request's timeout ends when the headers arrive. A mirror that then stops sending, or
        // drips a byte now and then, would hang the download for ever, so a watchdog closes the body
        // when it is silent too long, too slow on average after the grace period, or past the deadline.
        AtomicLong lastByte = new AtomicLong(System.nanoTime());
        AtomicLong received = new AtomicLong();
        AtomicReference<String> abandoned = new AtomicReference<>();
        long period = Math.max(1, Math.min(timeout.toMillis(), 1000) / 4);
        ScheduledFuture<?> watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
            String reason = tooSlow(start, lastByte.get(), received.get(), System.nanoTime());
            if (reason != null && abandoned.compareAndSet(null, reason)) {
                try {
                    body.close();
                } catch (IOException ignored) {
                    // the reader sees the stream end or fail, and reports the reason
                }
            }
        }, period, period, TimeUnit.MILLISECONDS);
        try (body) {
            String problem = readBody(response, body, archive, tmp, listener, lastByte, received);
            return problem != null && abandoned.get() != null ? abandoned.get() : problem;
        } catch (IOException e) {
            if (abandoned.get() != null) {
                return abandoned.get();
            }
            throw e;
        } finally {
            watchdog.cancel(false);
        }
    }

    /** Why a transfer should be abandoned now, or null while it is within the limits. */
    String tooSlow(long start, long lastByte, long received, long now) {
        long elapsed = now - start;
        if (now - lastByte > limits.timeout().toNanos()) {
            return "stalled: no data for " + limits.timeout().toMillis() + " ms";
        }
        if (elapsed > limits.deadline().toNanos()) {
            return "too slow: not finished within the " + limits.deadline().toMillis() + " ms allowed per file";
        }
        if (elapsed > limits.grace().toNanos() && limits.minBytesPerSecond() > 0) {
            double rate = received / (elapsed / 1e9);
            if (rate < limits.minBytesPerSecond()) {
                return String.format(java.util.Locale.ROOT, "too slow: %.0f bytes/s on average after %.1f s,"
                        + " below the minimum of %d bytes/s", rate, elapsed / 1e9, limits.minBytesPerSecond());
            }
        }
        return null;
    }

    private String readBody(HttpResponse<InputStream> response, InputStream body, Archive archive, Path tmp,
                            Listener listener, AtomicLong lastByte, AtomicLong received) throws IOException {
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
                received.set(done);
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
