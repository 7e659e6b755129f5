package dev.badnets.cli.data;

import dev.badnets.cli.OutputFiles;
import dev.badnets.cli.Progress;
import dev.badnets.cli.UserException;
import dev.badnets.cli.options.DataOptions;

import dev.badnets.mnist.MnistDownloader;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code badnets download}: fetches and verifies the four MNIST archives. */
@Command(name = "download", mixinStandardHelpOptions = true,
        description = "Fetch the four MNIST archives into the data folder, trying mirrors in order; each "
                + "file is MD5-verified and renamed into place only when complete. Verified files are kept. "
                + "A mirror is abandoned after 30 s without data, below 10 KB/s on average after its first "
                + "30 s, or after 30 minutes for one file.")
public final class DownloadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions data;

    @Option(names = "--mirror", paramLabel = "URL",
            description = "A mirror to try (repeatable, in order; default: the well-known public mirrors).")
    public List<String> mirrors;

    @Override
    public Integer call() throws Exception {
        Path folder = OutputFiles.prepareFolder(data.folder(), "--data");
        fetch(folder, mirrors(mirrors), spec.commandLine().getOut());
        return 0;
    }

    /** The {@code --mirror} values as URLs, or the default mirrors when none was given. */
    public static List<URI> mirrors(List<String> mirrors) {
        if (mirrors == null || mirrors.isEmpty()) {
            return MnistDownloader.DEFAULT_MIRRORS;
        }
        List<URI> uris = new ArrayList<>();
        for (String m : mirrors) {
            try {
                URI uri = new URI(m.endsWith("/") ? m : m + "/");
                if (uri.getScheme() == null || !uri.getScheme().matches("https?")) {
                    throw new URISyntaxException(m, "not an http or https URL");
                }
                uris.add(uri);
            } catch (URISyntaxException e) {
                throw new UserException("bad --mirror '" + m + "' (" + e.getReason() + ")",
                        "pass a URL such as https://ossci-datasets.s3.amazonaws.com/mnist/");
            }
        }
        return uris;
    }

    /** Downloads into {@code folder}, one progress bar per archive, one line per file on {@code out}. */
    public static void fetch(Path folder, List<URI> mirrors, PrintWriter out) throws java.io.IOException {
        boolean show = Progress.interactive();
        new MnistDownloader(mirrors).download(folder, new MnistDownloader.Listener() {
            private ProgressBar bar;

            @Override
            public void skipped(MnistDownloader.Archive archive, Path file) {
                out.println(archive.fileName() + ": already present and verified");
                out.flush();
            }

            @Override
            public void started(MnistDownloader.Archive archive, URI url) {
                if (show) {
                    bar = Progress.bar(archive.fileName(), Math.max(archive.size(), 1), "KB", 1024);
                }
            }

            @Override
            public void progress(MnistDownloader.Archive archive, long done, long total) {
                if (bar != null) {
                    bar.stepTo(done);
                }
            }

            @Override
            public void failed(MnistDownloader.Archive archive, URI url, String reason) {
                closeBar();
                out.println(archive.fileName() + ": " + url + " failed (" + reason + "); trying the next mirror");
                out.flush();
            }

            @Override
            public void finished(MnistDownloader.Archive archive, Path file) {
                closeBar();
                out.println(archive.fileName() + ": downloaded and verified");
                out.flush();
            }

            private void closeBar() {
                if (bar != null) {
                    bar.close();
                    bar = null;
                }
            }
        });
        out.println("MNIST is in " + folder);
        out.flush();
    }
}
