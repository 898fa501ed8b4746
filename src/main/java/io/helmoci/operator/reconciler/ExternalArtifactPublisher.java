package io.helmoci.operator.reconciler;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;

/**
 * The last stage of every reconciliation (success, failure or suspension): mirrors the
 * HelmOciChart's served artifact and Ready condition onto whatever other consumers read (Flux's
 * ExternalArtifact, {@link io.helmoci.operator.flux.FluxExternalArtifacts}). It is given the
 * status the reconciliation ends with, whose artifact is always the last one that passed every
 * check: a failed verification or a moved tag under a digest pin never reaches it.
 */
public interface ExternalArtifactPublisher {
    /** Publishes nothing (no Flux, or a unit test). */
    ExternalArtifactPublisher NONE = new ExternalArtifactPublisher() {
        @Override
        public void reflect(HelmOciChart resource, HelmOciChartStatus status) {}

        @Override
        public void remove(HelmOciChart resource) {}
    };

    /**
     * Brings what is published for {@code resource} in line with {@code status} (or removes it when
     * the resource no longer asks for it). Throws {@link io.helmoci.operator.ReconcileException} when
     * it cannot.
     */
    void reflect(HelmOciChart resource, HelmOciChartStatus status);

    /** On delete of the HelmOciChart: removes what was published for it. */
    void remove(HelmOciChart resource);
}
