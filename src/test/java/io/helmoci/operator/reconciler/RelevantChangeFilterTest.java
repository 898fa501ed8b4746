package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelevantChangeFilterTest {
    final RelevantChangeFilter filter = new RelevantChangeFilter();

    @Test
    void ownStatusWritesDoNotTriggerAReconciliation() {
        HelmOciChart old = chart(1L, null);
        HelmOciChart updated = chart(1L, null);
        updated.setStatus(new HelmOciChartStatus());
        updated.getMetadata().setResourceVersion("2");

        assertThat(filter.accept(updated, old)).isFalse();
    }

    @Test
    void specChangesRequestsDeletionAndFinalizersDo() {
        assertThat(filter.accept(chart(2L, null), chart(1L, null))).isTrue();
        assertThat(filter.accept(chart(1L, "now"), chart(1L, null))).isTrue();
        assertThat(filter.accept(chart(1L, "later"), chart(1L, "now"))).isTrue();
        assertThat(filter.accept(chart(1L, "now"), chart(1L, "now"))).isFalse();

        HelmOciChart deleting = chart(1L, null);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(filter.accept(deleting, chart(1L, null))).isTrue();

        HelmOciChart finalized = chart(1L, null);
        finalized.getMetadata().setFinalizers(List.of(Constants.FINALIZER));
        assertThat(filter.accept(finalized, chart(1L, null))).isTrue();
    }

    private static HelmOciChart chart(long generation, String requestedAt) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName("c")
                .withNamespace("n")
                .withGeneration(generation)
                .withAnnotations(
                        requestedAt == null ? Map.of() : Map.of(Constants.REQUESTED_AT_ANNOTATION, requestedAt))
                .build());
        return chart;
    }
}
