package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steady state: one manifest HEAD per distinct tag and one tag list per repository per interval,
 * however many resources name them and whenever they were created. Resources of two repositories are
 * created in four batches spread over more than half an interval, with the test bed's reuse windows
 * of half a second, so only the check rounds ({@code CheckSchedule}: every resource of a repository
 * checks at the same moments and shares that round's answers) keep the requests to one per question.
 * Counted in the real registry's access log over two intervals (less a second, so two round starts
 * at most, plus one whose request may straddle the window's start).
 */
class CheckRoundsIT {
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final int BATCHES = 4;
    private static final Duration BETWEEN_BATCHES = Duration.ofSeconds(2);
    private static final List<String> REPOSITORIES = List.of("rounds/alpha", "rounds/beta");
    /** Per repository and batch: two exact versions and two ranges (resolving to 1.1.0). */
    private static final List<String> VERSIONS = List.of("1.0.0", "1.1.0", "~1.1.0", "^1.0.0");

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    static Path work;

    static KubeApiServerFixture kube;
    static OperatorProcess operator;

    @BeforeAll
    static void start() {
        kube = KubeApiServerFixture.shared();
        kube.applyProjectCrds();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
        for (String repository : REPOSITORIES) {
            String name = repository.substring(repository.indexOf('/') + 1);
            for (String version : List.of("1.0.0", "1.1.0")) {
                helm.push(registry, charts.create(name, version), "rounds");
            }
        }
        // The test bed's defaults: minimum interval 1 s, so tag lists and HEADs are reused for 0.5 s only.
        operator = OperatorProcess.start(kube.kubeconfig(), work.resolve("operator"), Map.of());
    }

    @AfterAll
    static void stop() {
        if (operator != null) {
            operator.close();
        }
    }

    @Test
    void resourcesCreatedAtDifferentTimesAskEachQuestionOncePerInterval() throws Exception {
        String namespace = kube.createNamespace("rounds");
        HelmOciChartAssert hoc = new HelmOciChartAssert(kube, operator);
        int resources = 0;
        for (int batch = 0; batch < BATCHES; batch++) {
            StringBuilder yaml = new StringBuilder();
            for (String repository : REPOSITORIES) {
                for (String version : VERSIONS) {
                    yaml.append("""
                            apiVersion: helmoci.io/v1alpha1
                            kind: HelmOciChart
                            metadata:
                              name: chart-%d
                            spec:
                              url: %s
                              version: "%s"
                              interval: %ds
                              insecure: true
                            ---
                            """.formatted(resources++, registry.ociUrl(repository), version, INTERVAL.toSeconds()));
                }
            }
            Path file = Files.createTempFile(work, "batch", ".yaml");
            Files.writeString(file, yaml.toString());
            kube.kubectl("apply", "-n", namespace, "-f", file.toString()).orThrow();
            Thread.sleep(BETWEEN_BATCHES.toMillis());
        }
        for (int i = 0; i < resources; i++) {
            hoc.awaitReady(namespace, "chart-" + i);
        }

        registry.resetRequests();
        Thread.sleep(INTERVAL.multipliedBy(2).minusSeconds(1).toMillis());
        List<RegistryRequest> steady = registry.requests();
        System.out.println("steady state, 2 intervals of " + resources + " resources: " + steady);

        long bound = 3; // two round starts in the window, plus one round's request straddling its start
        Map<String, Long> tagLists = count(steady, "/tags/list");
        Map<String, Long> heads = steady.stream()
                .filter(r -> r.method().equals("HEAD") && r.path().contains("/manifests/"))
                .collect(Collectors.groupingBy(
                        r -> r.path().substring(0, r.path().indexOf("/manifests/")) + ":"
                                + r.path().substring(r.path().lastIndexOf('/') + 1),
                        Collectors.counting()));
        assertThat(tagLists)
                .as(
                        "tag lists per repository in two intervals (without rounds: one per range resource and check, about 16): %s",
                        steady)
                .containsOnlyKeys("/v2/rounds/alpha", "/v2/rounds/beta")
                .allSatisfy((repository, n) -> assertThat(n).isBetween(1L, bound));
        assertThat(heads)
                .as("HEADs per tag in two intervals (without rounds: about 8 per exact tag, 24 for 1.1.0): %s", steady)
                .containsOnlyKeys(
                        "/v2/rounds/alpha:1.0.0",
                        "/v2/rounds/alpha:1.1.0",
                        "/v2/rounds/beta:1.0.0",
                        "/v2/rounds/beta:1.1.0")
                .allSatisfy((tag, n) -> assertThat(n).isBetween(1L, bound));
        assertThat(steady)
                .as("no manifest GET and no blob in steady state")
                .noneMatch(r -> r.method().equals("GET") && !r.path().contains("/tags/list"));

        // Leave nothing behind for the next class on the shared API server (its operator would check them).
        kube.kubectl("delete", "helmocicharts", "--all", "-n", namespace, "--wait=true", "--timeout=60s");
    }

    private static Map<String, Long> count(List<RegistryRequest> requests, String suffix) {
        return requests.stream()
                .filter(r -> r.path().contains(suffix))
                .collect(Collectors.groupingBy(
                        r -> r.path().substring(0, r.path().indexOf(suffix)), Collectors.counting()));
    }
}
