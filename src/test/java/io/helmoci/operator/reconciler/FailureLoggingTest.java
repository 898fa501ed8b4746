package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureLoggingTest {
    private static HelmOciChart showing(String reason, String message) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(
                new ObjectMetaBuilder().withName("c").withNamespace("ns").build());
        HelmOciChartStatus status = new HelmOciChartStatus();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new ConditionBuilder()
                .withType(Constants.CONDITION_READY)
                .withStatus("False")
                .withReason(reason)
                .withMessage(message)
                .build());
        status.setConditions(conditions);
        chart.setStatus(status);
        return chart;
    }

    @Test
    void aRetryOfTheFailureTheStatusShowsIsNoNews() {
        String body = "x".repeat(48 * 1024);
        ReconcileException failure =
                new ReconcileException("RegistryUnavailable", "Registry said: " + body, Disposition.RETRY);

        assertThat(FailureLogging.isNews(
                        showing("RegistryUnavailable", FailureLogging.capped(failure.getMessage())), failure))
                .isFalse();
        assertThat(FailureLogging.isNews(showing("Timeout", "slow"), failure)).isTrue();
        assertThat(FailureLogging.isNews(showing("RegistryUnavailable", "Registry said: other"), failure))
                .isTrue();
        assertThat(FailureLogging.capped(failure.getMessage())).hasSize(FailureLogging.MAX_MESSAGE);
        HelmOciChart fresh = new HelmOciChart();
        fresh.setMetadata(
                new ObjectMetaBuilder().withName("c").withNamespace("ns").build());
        assertThat(FailureLogging.isNews(fresh, failure)).isTrue();
    }
}
