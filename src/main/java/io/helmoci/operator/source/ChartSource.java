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
     * Downloads (unless already stored) exactly the chart layer {@code resolved} names, verifies it
     * against the layer's digest and size and validates it against the resolved chart metadata: no
     * manifest is asked for again, so what was resolved is what is served.
     */
    StoredChart pull(ChartRequest request, ResolvedChart resolved);
}
