package io.helmoci.operator.reconciler;

import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.source.ResolvedChart;
import java.util.Optional;

/** Same version, same repository, different manifest: the tag was moved (re-pushed) to other content. */
record DetectTagMoved(EventRecorder events) implements SyncStep {
    @Override
    public Optional<ChartSync.Outcome> run(SyncContext context) {
        HelmOciChartStatus previous = context.status().previous();
        ResolvedChart resolved = context.resolved();
        String url = context.resource().getSpec().getUrl();
        if (!resolved.version().equals(previous.getResolvedVersion())
                || !HelmOciChartStatusAggregator.sameRepository(previous, url)) {
            context.status().forgetMovedTag();
            return CONTINUE;
        }
        String previousDigest = previous.getManifestDigest();
        if (previousDigest != null && !previousDigest.equals(resolved.manifestDigest())) {
            context.status().tagMovedFrom(previousDigest);
            events.warning(
                    context.resource(),
                    ConditionReasons.EVENT_TAG_MOVED,
                    "Tag " + resolved.tag() + " of " + url
                            + " moved from " + previousDigest + " to " + resolved.manifestDigest()
                            + ": the same version now has different content. Pin spec.digest to refuse such changes.");
        }
        return CONTINUE;
    }
}
