package io.helmoci.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartSpec;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckScheduleTest {
    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final String URL = "oci://registry.example/team/app";

    @Test
    void resourcesOfOneRepositoryCreatedAtDifferentTimesCheckAtTheSameMoments() {
        Instant t0 = Instant.parse("2026-12-03T00:00:00.123Z");
        Set<Instant> nextChecks = new HashSet<>();
        for (int s = 0; s < 60; s += 7) { // created over a whole minute
            Instant created = t0.plusSeconds(s);
            Instant first = created.plus(CheckSchedule.untilNextRound(URL, MINUTE, created));
            Instant second = first.plus(CheckSchedule.untilNextRound(URL, MINUTE, first));
            assertThat(Duration.between(created, first))
                    .isBetween(MINUTE.dividedBy(2), MINUTE.multipliedBy(3).dividedBy(2));
            assertThat(Duration.between(first, second)).isEqualTo(MINUTE);
            nextChecks.add(second);
        }
        assertThat(nextChecks).as("one or two rounds, never one per resource").hasSizeLessThanOrEqualTo(2);
        assertThat(nextChecks)
                .allSatisfy(at -> assertThat(CheckSchedule.roundStart(URL, MINUTE, at.plusMillis(300)))
                        .isEqualTo(at));
    }

    @Test
    void aLateCheckStillBelongsToItsRoundAndTheNextOneIsBackOnTheGrid() {
        Instant round = CheckSchedule.roundStart(URL, MINUTE, Instant.parse("2026-12-03T00:00:00Z"));
        Instant late = round.plusSeconds(8);

        assertThat(CheckSchedule.roundStart(URL, MINUTE, late)).isEqualTo(round);
        assertThat(late.plus(CheckSchedule.untilNextRound(URL, MINUTE, late))).isEqualTo(round.plus(MINUTE));
    }

    @Test
    void repositoriesAreSpreadOverTheInterval() {
        Instant now = Instant.parse("2026-12-03T00:00:00Z");
        Set<Instant> rounds = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            rounds.add(CheckSchedule.roundStart("oci://registry.example/bench/app-" + i, MINUTE, now));
        }
        assertThat(rounds).hasSizeGreaterThan(5);
        assertThat(CheckSchedule.roundStart(URL + "/", MINUTE, now))
                .isEqualTo(CheckSchedule.roundStart("OCI://registry.example/team/app", MINUTE, now));
    }

    @Test
    void onlyAPeriodicCheckOfAnUnchangedSpecSharesTheRoundsAnswers() {
        Instant now = Instant.parse("2026-12-03T00:00:30Z");
        HelmOciChart fresh = chart(2L, null, Map.of());
        HelmOciChart handled = chart(2L, 2L, Map.of());
        HelmOciChart newGeneration = chart(3L, 2L, Map.of());
        HelmOciChart requested = chart(2L, 2L, Map.of(Constants.REQUESTED_AT_ANNOTATION, "now"));
        HelmOciChart requestHandled = chart(2L, 2L, Map.of(Constants.REQUESTED_AT_ANNOTATION, "before"));
        requestHandled.getStatus().setLastHandledReconcileAt("before");

        assertThat(CheckSchedule.sharedRoundStart(fresh, MINUTE, now)).isEmpty();
        assertThat(CheckSchedule.sharedRoundStart(newGeneration, MINUTE, now)).isEmpty();
        assertThat(CheckSchedule.sharedRoundStart(requested, MINUTE, now)).isEmpty();
        assertThat(CheckSchedule.sharedRoundStart(handled, MINUTE, now))
                .contains(CheckSchedule.roundStart(URL, MINUTE, now));
        assertThat(CheckSchedule.sharedRoundStart(requestHandled, MINUTE, now)).isPresent();
    }

    private static HelmOciChart chart(Long generation, Long observed, Map<String, String> annotations) {
        HelmOciChart chart = new HelmOciChart();
        chart.setMetadata(new ObjectMetaBuilder()
                .withName("c")
                .withNamespace("n")
                .withGeneration(generation)
                .withAnnotations(annotations)
                .build());
        HelmOciChartSpec spec = new HelmOciChartSpec();
        spec.setUrl(URL);
        chart.setSpec(spec);
        if (observed != null) {
            HelmOciChartStatus status = new HelmOciChartStatus();
            status.setObservedGeneration(observed);
            chart.setStatus(status);
        }
        return chart;
    }
}
