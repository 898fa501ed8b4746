package io.helmoci.operator.source;

import io.helmoci.engine.EngineException;

/**
 * What the operator asks of a registry. The engine implements it in production and integration
 * tests; reconciler unit tests use a fake. Failures are {@link EngineException}s with a stable
 * reason. What is already stored is the {@link ArtifactStore}'s business.
 */
public interface ChartSource {

    /** Resolves version, tag, manifest and chart layer without downloading the chart archive (one HEAD when nothing changed). */
    ResolvedChart resolve(ChartRequest request);

    /**
     * As {@link #resolve(ChartRequest)}, reusing a tag list or manifest HEAD that a request with the
     * same credentials got at or after {@code acceptSince} (the start of the check's round).
     *
     * @param acceptSince null: only what the source's own reuse windows allow
     */
    default ResolvedChart resolve(ChartRequest request, java.time.Instant acceptSince) {
        return resolve(request);
    }

    /**
     * Downloads (unless already stored) exactly this chart layer of the request's repository (from a
     * {@link ResolvedChart}, or from a published status), verifies it against the layer's digest and
     * size, and validates the archive: it must name the repository's chart and, when given, hold
     * {@code version}. No manifest is asked for again, so what was resolved is what is served.
     *
     * @param version the resolved version, or null to check only the chart name
     */
    StoredChart pull(ChartRequest request, ChartLayer chartLayer, String version);

    /**
     * Verifies who signed the resolved manifest under {@code policy} (cosign, notation or Helm
     * provenance); throws {@link EngineException} with a signature reason when no signature verifies.
     */
    io.helmoci.engine.verify.VerificationResult verify(
            ChartRequest request, ResolvedChart resolved, io.helmoci.engine.verify.VerificationPolicy policy);

    /**
     * The registry announced a change of {@code url}'s repository at {@code instant} (a webhook):
     * answers shared between resources that were obtained before it are not reused, so the next
     * {@link #resolve} asks the registry. Callers told about the same change share one fresh answer.
     */
    default void forgetSharedAnswersBefore(String url, java.time.Instant instant) {}
}
