package io.helmoci.operator;

import static io.helmoci.operator.HelmOciChartAssert.conditionReason;
import static io.helmoci.operator.HelmOciChartAssert.readyReason;
import static io.helmoci.operator.HelmOciChartAssert.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry outage with the operator's shipped retry settings (no test overrides): the registry's
 * address answers 503 while it is down, as a load balancer in front of it would, and the requests
 * that reach it show how the operator retries. Each reconciliation makes a short burst (the engine
 * retries in-line within spec.timeout, as Helm does); between reconciliations the pauses must grow
 * exponentially (2 s, 2 s, 4 s, 8 s, 16 s ... up to 5 min), never a hot loop. The figures are printed.
 */
class RegistryOutageBackoffIT {
    /** Long enough for four pauses of the shipped backoff (2 + 2 + 4 + 8 s plus the bursts and the first interval). */
    static final Duration OUTAGE = Duration.ofSeconds(38);
    /** In-line retries within one reconciliation wait 250 ms, 500 ms, 1 s (+-10 %); reconciliations are at least 2 s apart. */
    static final long SAME_ATTEMPT_MILLIS = 1_500;

    @TempDir
    Path work;

    @Test
    void aRegistryOutageIsRetriedWithGrowingPausesWhileTheLastGoodArtifactIsServed() throws Exception {
        KubeApiServerFixture kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        try (RegistryFixture registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                        .start();
                OperatorProcess operator = OperatorProcess.start(
                        kube.kubeconfig(),
                        work.resolve("operator"),
                        Map.of("helmoci.leader-election.lease-name", "backoff-it"))) {
            HelmCli helm = new HelmCli(work.resolve("helm"));
            helm.push(registry, new ChartFactory(helm, work.resolve("charts")).create("outage", "1.0.0"), "charts");
            String namespace = kube.createNamespace("outage");
            kube.apply(namespace, """
                    apiVersion: helmoci.io/v1alpha1
                    kind: HelmOciChart
                    metadata: {name: outage}
                    spec: {url: "%s", version: "1.0.0", interval: 2s, timeout: 2s, insecure: true}
                    """.formatted(registry.ociUrl("charts/outage")));
            HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
            hoc.awaitReady(namespace, "outage");
            HelmOciChartStatus good = hoc.get(namespace, "outage").getStatus();

            registry.stop();
            List<Long> arrivals = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            List<Integer> servedDuringOutage = new ArrayList<>();
            try (ScriptedHttpServer down = ScriptedHttpServer.startOn(registry.port(), (exchange, request) -> {
                arrivals.add((System.nanoTime() - start) / 1_000_000);
                ScriptedHttpServer.respond(
                        exchange,
                        503,
                        Map.of("Content-Type", "application/json"),
                        "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"registry down for maintenance\"}]}");
            })) {
                Instant end = Instant.now().plus(OUTAGE);
                while (Instant.now().isBefore(end)) {
                    byte[] body = operator.get(good.getArtifact().getUrl()).body();
                    servedDuringOutage.add(sha256(body).equals(good.getContentDigest()) ? 200 : -1);
                    Thread.sleep(3_000);
                }
            }
            HelmOciChart failing = hoc.get(namespace, "outage");

            List<List<Long>> attempts = attempts(List.copyOf(arrivals));
            List<Long> pauses = new ArrayList<>();
            for (int i = 1; i < attempts.size(); i++) {
                pauses.add(attempts.get(i).get(0) - last(attempts.get(i - 1)));
            }
            StringBuilder figures = new StringBuilder(
                    "Registry outage of " + OUTAGE.toSeconds() + " s, requests at the registry's address:\n");
            for (int i = 0; i < attempts.size(); i++) {
                List<Long> attempt = attempts.get(i);
                figures.append(String.format(
                        "  reconciliation %d at %6.2f s: %d request(s) over %.2f s%s%n",
                        i + 1,
                        attempt.get(0) / 1000.0,
                        attempt.size(),
                        (last(attempt) - attempt.get(0)) / 1000.0,
                        i < pauses.size() ? String.format(", then a pause of %.2f s", pauses.get(i) / 1000.0) : ""));
            }
            System.out.print(figures);

            assertThat(readyReason(failing)).as(figures.toString()).isEqualTo("RegistryUnavailable");
            assertThat(conditionReason(failing, Constants.CONDITION_RECONCILING))
                    .isEqualTo(ConditionReasons.PROGRESSING_WITH_RETRY);
            assertThat(servedDuringOutage)
                    .as("the last good artifact is served throughout")
                    .isNotEmpty()
                    .containsOnly(200);
            assertThat(attempts).as(figures.toString()).hasSizeBetween(5, 7);
            assertThat(attempts)
                    .as("in-line retries per reconciliation are few")
                    .allSatisfy(a -> assertThat(a).hasSizeLessThanOrEqualTo(6));
            // java-operator-sdk's GradualRetry waits the initial interval twice, then multiplies: 2, 2, 4, 8, 16 s ...
            assertThat(pauses.get(0)).as(figures.toString()).isBetween(1_800L, 3_000L);
            assertThat(pauses.get(1)).as(figures.toString()).isGreaterThanOrEqualTo(1_800L);
            for (int i = 2; i < pauses.size(); i++) {
                assertThat(pauses.get(i))
                        .as("pause %d doubles\n%s", i + 1, figures)
                        .isGreaterThanOrEqualTo(pauses.get(i - 1) * 9 / 5);
            }
        }
    }

    /** Groups request arrival times (ms) into reconciliations: a new one starts after a pause longer than in-line retries wait. */
    static List<List<Long>> attempts(List<Long> arrivals) {
        List<List<Long>> attempts = new ArrayList<>();
        for (long arrival : arrivals) {
            if (attempts.isEmpty() || arrival - last(attempts.get(attempts.size() - 1)) > SAME_ATTEMPT_MILLIS) {
                attempts.add(new ArrayList<>());
            }
            attempts.get(attempts.size() - 1).add(arrival);
        }
        return attempts;
    }

    private static long last(List<Long> list) {
        return list.get(list.size() - 1);
    }
}
