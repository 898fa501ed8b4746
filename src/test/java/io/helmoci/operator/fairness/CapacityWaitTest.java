package io.helmoci.operator.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapacityWaitTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-03-01T10:00:00Z"), ZoneOffset.UTC);

    private static HelmOciChart chart(HelmOciChartStatus status) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName("c")
                .withNamespace("ns")
                .withGeneration(3L)
                .build());
        chart.setStatus(status);
        return chart;
    }

    @Test
    void aNewResourceWaitsWithReadyUnknownAndSaysWhy() {
        HelmOciChartStatus status = CapacityWait.status(chart(null), "Waiting for a free slot", CLOCK)
                .orElseThrow();

        assertThat(status.getConditions())
                .extracting(Condition::getType, Condition::getStatus, Condition::getReason)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(
                                Constants.CONDITION_RECONCILING, "True", ConditionReasons.WAITING_FOR_CAPACITY),
                        org.assertj.core.groups.Tuple.tuple(
                                Constants.CONDITION_READY, "Unknown", ConditionReasons.WAITING_FOR_CAPACITY));
    }

    @Test
    void aServedArtifactStaysReadyAndTheSameWaitIsNotWrittenTwice() {
        HelmOciChartStatus previous = new HelmOciChartStatus();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new ConditionBuilder()
                .withType(Constants.CONDITION_READY)
                .withStatus("True")
                .withReason(ConditionReasons.SUCCEEDED)
                .withMessage("Serving c 1.0.0")
                .build());
        previous.setConditions(conditions);

        HelmOciChartStatus waiting = CapacityWait.status(chart(previous), "Waiting for a free slot", CLOCK)
                .orElseThrow();
        assertThat(waiting.getConditions())
                .filteredOn(c -> c.getType().equals(Constants.CONDITION_READY))
                .extracting(Condition::getStatus)
                .containsExactly("True");
        assertThat(CapacityWait.status(chart(waiting), "Waiting for a free slot", CLOCK))
                .isEmpty();
        assertThat(CapacityWait.status(chart(waiting), "Waiting for another slot", CLOCK))
                .isPresent();
        assertThat(previous.getConditions()).hasSize(1);
    }

    @Test
    void retriesComeBackWithinSecondsWithJitter() {
        for (int i = 0; i < 20; i++) {
            assertThat(CapacityWait.retryAfter())
                    .isBetween(CapacityWait.RETRY_AFTER, CapacityWait.RETRY_AFTER.multipliedBy(2));
        }
        assertThat(CapacityWait.RETRY_AFTER).isEqualTo(Duration.ofSeconds(2));
    }
}
