package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.credentials.ObjectLookup;
import io.helmoci.operator.source.ChartRequest;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * What one reconciliation knows so far, passed through every {@link SyncStep}: the resource, the
 * request built from it, what the registry resolved it to, the stored chart, and the status
 * aggregator that owns the next status. A step that reads a part an earlier step has not filled
 * in is a programming error (the step list is in the wrong order).
 */
final class SyncContext {
    private final HelmOciChart resource;
    private final ObjectLookup lookup;
    private final Consumer<HelmOciChartStatus> progress;
    private final HelmOciChartStatusAggregator status;
    private ChartRequest request;
    private ResolvedChart resolved;
    private StoredChart stored;
    private final List<String> notes = new ArrayList<>();

    SyncContext(
            HelmOciChart resource,
            ObjectLookup lookup,
            Consumer<HelmOciChartStatus> progress,
            HelmOciChartStatusAggregator status) {
        this.resource = resource;
        this.lookup = lookup;
        this.progress = progress;
        this.status = status;
    }

    HelmOciChart resource() {
        return resource;
    }

    /** Reads referenced Secrets and ServiceAccounts. */
    ObjectLookup lookup() {
        return lookup;
    }

    /** Writes an intermediate status at once (before slow work). */
    void reportProgress(HelmOciChartStatus snapshot) {
        progress.accept(snapshot);
    }

    HelmOciChartStatusAggregator status() {
        return status;
    }

    ChartRequest request() {
        return required(request, "request");
    }

    void request(ChartRequest request) {
        this.request = request;
    }

    ResolvedChart resolved() {
        return required(resolved, "resolved chart");
    }

    void resolved(ResolvedChart resolved) {
        this.resolved = resolved;
    }

    StoredChart stored() {
        return required(stored, "stored chart");
    }

    void stored(StoredChart stored) {
        this.stored = stored;
    }

    /** A sentence for the Ready message that the user should act on although the reconcile succeeds. */
    void note(String note) {
        if (note != null && !note.isBlank()) {
            notes.add(note);
        }
    }

    List<String> notes() {
        return List.copyOf(notes);
    }

    private static <T> T required(T value, String what) {
        return Objects.requireNonNull(value, () -> "no " + what + " yet: a step runs before the step that provides it");
    }
}
