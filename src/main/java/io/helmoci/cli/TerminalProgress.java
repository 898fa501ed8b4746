package io.helmoci.cli;

import io.helmoci.engine.DownloadListener;
import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line download progress display on standard error. It stays silent for downloads shorter
 * than a moment, so quick pulls and captured output are not cluttered.
 */
final class TerminalProgress implements DownloadListener {
    private static final long QUIET_NANOS = 500_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final LongSupplier nanoTime;
    private final long started;
    private long lastDrawn;

    TerminalProgress(PrintWriter err) {
        this(err, System::nanoTime);
    }

    /** @param nanoTime the clock ({@link System#nanoTime} but in tests) */
    TerminalProgress(PrintWriter err, LongSupplier nanoTime) {
        this.err = err;
        this.nanoTime = nanoTime;
        this.started = nanoTime.getAsLong();
    }

    /** Progress only when a person watches: a terminal, and text output. */
    static DownloadListener forOutput(HelmOciCli.Output output, PrintWriter err) {
        return output == HelmOciCli.Output.text && System.console() != null
                ? new TerminalProgress(err)
                : DownloadListener.NONE;
    }

    @Override
    public void progress(long bytesSoFar, long totalBytes) {
        long now = nanoTime.getAsLong();
        boolean done = bytesSoFar >= totalBytes;
        if (now - started < QUIET_NANOS || (!done && now - lastDrawn < REDRAW_NANOS)) {
            return;
        }
        lastDrawn = now;
        int percent = totalBytes > 0 ? (int) Math.min(100, bytesSoFar * 100 / totalBytes) : 100;
        int filled = percent * 30 / 100;
        err.printf(
                "\rDownloading [%s%s] %3d%% %s / %s",
                "#".repeat(filled), " ".repeat(30 - filled), percent, mebibytes(bytesSoFar), mebibytes(totalBytes));
        if (done) {
            err.println();
        }
        err.flush();
    }

    private static String mebibytes(long bytes) {
        return String.format("%.1f MiB", bytes / 1048576.0);
    }
}
