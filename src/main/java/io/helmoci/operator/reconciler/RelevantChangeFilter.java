package io.helmoci.operator.reconciler;

import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;

/**
 * Which updates of a HelmOciChart trigger a reconciliation: a spec change (generation), a new
 * helmoci.io/requestedAt annotation, deletion and finalizer changes. Not the operator's own status
 * writes. (Generation-aware processing alone would ignore the annotation.)
 */
public class RelevantChangeFilter implements OnUpdateFilter<HelmOciChart> {
    @Override
    public boolean accept(HelmOciChart updated, HelmOciChart old) {
        var now = updated.getMetadata();
        var before = old.getMetadata();
        return !Objects.equals(now.getGeneration(), before.getGeneration())
                || !Objects.equals(requestedAt(now.getAnnotations()), requestedAt(before.getAnnotations()))
                || now.getDeletionTimestamp() != null
                || !Objects.equals(now.getFinalizers(), before.getFinalizers());
    }

    private static String requestedAt(Map<String, String> annotations) {
        return annotations == null ? null : annotations.get(Constants.REQUESTED_AT_ANNOTATION);
    }
}
