package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Writes a reconciliation's intermediate status (Reconciling=True) only if the reconciliation is
 * still running after a delay: most finish within it, and their result is the only status write.
 * {@link #close()} at the end of the reconciliation cancels a pending write, or waits for one that
 * already started, so the intermediate status never lands after the result.
 */
final class DelayedProgress implements Consumer<HelmOciChartStatus>, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DelayedProgress.class);
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "helmoci-progress");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration after;
    private final Consumer<HelmOciChartStatus> write;
    private ScheduledFuture<?> pending;

    DelayedProgress(Duration after, Consumer<HelmOciChartStatus> write) {
        this.after = after;
        this.write = write;
    }

    @Override
    public synchronized void accept(HelmOciChartStatus status) {
        if (after.isZero() || after.isNegative()) {
            write.accept(status);
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pending = TIMER.schedule(
                () -> {
                    try {
                        write.accept(status);
                    } catch (RuntimeException e) { // only a progress report: the result is written anyway
                        LOG.debugf("Writing the progress status failed: %s", e.getMessage());
                    }
                },
                after.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (pending == null || pending.cancel(false)) {
            return;
        }
        try {
            pending.get(); // started already: let it land before the result
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException e) {
            // logged by the task
        }
    }
}
