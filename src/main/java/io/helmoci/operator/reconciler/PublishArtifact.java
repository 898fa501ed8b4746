package io.helmoci.operator.reconciler;

import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.source.ResolvedChart;
import io.helmoci.operator.source.StoredChart;
import java.util.Optional;

/** What was resolved and stored becomes the status: the resolution and the artifact URL; a NewArtifact event when the content changed. */
record PublishArtifact(ArtifactUrls urls, EventRecorder events) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChart resource = context.resource();
        ResolvedChart resolved = context.resolved();
        StoredChart stored = context.stored();
        String url = urls.artifactUrl(
                resource.getMetadata().getNamespace(),
                resource.getMetadata().getName(),
                resolved.chart().getName(),
                resolved.version());
        boolean newContent =
                !stored.contentDigest().equals(context.status().previous().getContentDigest());
        context.status().resolvedTo(resource.getSpec().getUrl(), resolved);
        context.status().published(url, stored.contentDigest(), stored.size());
        if (newContent) {
            events.normal(
                    resource,
                    ConditionReasons.EVENT_NEW_ARTIFACT,
                    "Pulled " + resolved.chart().getName() + " " + resolved.version()
                            + " (" + stored.contentDigest() + ", " + stored.size() + " bytes) from "
                            + resource.getSpec().getUrl()
                            + "; served at " + url);
        }
        return CONTINUE;
    }
}
