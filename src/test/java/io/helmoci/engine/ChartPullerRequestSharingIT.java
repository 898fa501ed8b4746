package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.ExchangeObserver;
import io.helmoci.engine.registry.RegistryBudget;
import io.helmoci.engine.registry.RequestSharing;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.MutableClock;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests that carry information only, counted in the real registry's access log: many resources
 * naming one repository (ranges and exact versions) cost one tag list, one HEAD per distinct tag
 * and each blob once; within the reuse window nothing more; after it, one tag list and one HEAD per
 * tag again; callers with other credentials never share an answer.
 */
class ChartPullerRequestSharingIT {
    private static final int RESOURCES = 20;
    private static final Duration TTL = Duration.ofSeconds(30);

    /** htpasswd: every request carries credentials, and two users stand for two namespaces. */
    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .htpasswd()
            .user("pusher", "push-pass")
            .user("team-a", "a-pass-1")
            .user("team-b", "b-pass-2")
            .extension();

    @TempDir
    static Path work;

    @BeforeAll
    static void pushCharts() {
        HelmCli helm = new HelmCli(work.resolve("helm"));
        helm.login(registry, "pusher", "push-pass");
        ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
        for (String version : List.of("1.0.0", "1.1.0", "2.0.0")) {
            helm.push(registry, charts.create("shared", version), "charts");
        }
    }

    @Test
    void twentyResourcesOfOneRepositoryCostOneTagListOneHeadPerTagAndEachBlobOnce(@TempDir Path store)
            throws Exception {
        MutableClock clock = new MutableClock();
        Credentials team = Credentials.basic("team-a", "a-pass-1");
        try (ChartPuller puller = new ChartPuller(
                store,
                ChartLimits.defaults(),
                clock,
                ExchangeObserver.NONE,
                new RequestSharing(TTL, TTL),
                RegistryBudget.Limits.unlimited())) {
            registry.resetRequests();
            pullAllAtOnce(puller, team);
            List<RegistryRequest> cold = answered();
            assertThat(count(cold, r -> r.path().contains("/tags/list")))
                    .as("tag lists, cold: %s", cold)
                    .isEqualTo(1);
            assertThat(headsByTag(cold))
                    .as("HEADs per tag, cold: %s", cold)
                    .isEqualTo(Map.of("1.0.0", 1L, "1.1.0", 1L, "2.0.0", 1L));
            assertThat(count(cold, r -> r.method().equals("GET") && r.path().contains("/manifests/")))
                    .as("manifest GETs, cold (one per distinct manifest): %s", cold)
                    .isEqualTo(3);
            assertThat(cold.stream()
                            .filter(r -> r.path().contains("/blobs/"))
                            .collect(Collectors.groupingBy(RegistryRequest::path, Collectors.counting())))
                    .as("blob GETs, cold: %s", cold)
                    .hasSize(6)
                    .allSatisfy((path, n) -> assertThat(n).isEqualTo(1L));

            registry.resetRequests();
            clock.advance(TTL.minusSeconds(1));
            pullAllAtOnce(puller, team);
            assertThat(answered())
                    .as("within the reuse window: every answer reused")
                    .isEmpty();

            registry.resetRequests();
            clock.advance(Duration.ofSeconds(2));
            pullAllAtOnce(puller, team);
            List<RegistryRequest> steady = answered();
            assertThat(count(steady, r -> r.path().contains("/tags/list")))
                    .as("tag lists, next interval: %s", steady)
                    .isEqualTo(1);
            assertThat(headsByTag(steady))
                    .as("HEADs per tag, next interval: %s", steady)
                    .isEqualTo(Map.of("1.0.0", 1L, "1.1.0", 1L, "2.0.0", 1L));
            assertThat(count(steady, r -> r.method().equals("GET") && !r.path().contains("/tags/list")))
                    .as("no manifest GET and no blob in steady state: %s", steady)
                    .isZero();
        }
    }

    @Test
    void callersWithOtherCredentialsDoNotShareAnswers(@TempDir Path store) {
        MutableClock clock = new MutableClock();
        try (ChartPuller puller = new ChartPuller(
                store,
                ChartLimits.defaults(),
                clock,
                ExchangeObserver.NONE,
                new RequestSharing(TTL, TTL),
                RegistryBudget.Limits.unlimited())) {
            Credentials teamA = Credentials.basic("team-a", "a-pass-1");
            Credentials teamB = Credentials.basic("team-b", "b-pass-2");
            puller.inspect(request("^1.0.0", teamA));
            registry.resetRequests();

            puller.inspect(request("^1.0.0", teamA));
            assertThat(answered())
                    .as("same credentials within the window: reused")
                    .isEmpty();

            puller.inspect(request("^1.0.0", teamB));
            List<RegistryRequest> other = answered();
            assertThat(count(other, r -> r.path().contains("/tags/list")))
                    .as("other credentials list tags themselves: %s", other)
                    .isEqualTo(1);
            assertThat(headsByTag(other))
                    .as("and send their own HEAD: %s", other)
                    .isEqualTo(Map.of("1.1.0", 1L));
        }
    }

    /** Half ranges, half exact versions of one repository, all started at once (an operator starting). */
    private static void pullAllAtOnce(ChartPuller puller, Credentials credentials) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RESOURCES); // not AutoCloseable on Java 17
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<PullResult>> pulls = new ArrayList<>();
            for (int i = 0; i < RESOURCES; i++) {
                String version = switch (i % 4) {
                    case 0, 1 -> "^1.0.0";
                    case 2 -> "1.0.0";
                    default -> "2.0.0";
                };
                pulls.add(pool.submit(() -> {
                    start.await();
                    return puller.pull(request(version, credentials));
                }));
            }
            start.countDown();
            for (Future<PullResult> pull : pulls) {
                assertThat(pull.get().resolution().chart().name()).isEqualTo("shared");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static PullRequest request(String version, Credentials credentials) {
        return new PullRequest(
                PullerTestbed.ref(registry, "charts/shared"),
                version,
                null,
                false,
                PullerTestbed.options(registry, credentials));
    }

    /** What the registry answered, without the 401s that ask for credentials. */
    private static List<RegistryRequest> answered() {
        return registry.requests().stream().filter(r -> r.status() != 401).toList();
    }

    private static long count(List<RegistryRequest> requests, Predicate<RegistryRequest> kind) {
        return requests.stream().filter(kind).count();
    }

    private static Map<String, Long> headsByTag(List<RegistryRequest> requests) {
        return requests.stream()
                .filter(r -> r.method().equals("HEAD") && r.path().contains("/manifests/"))
                .collect(Collectors.groupingBy(
                        r -> r.path().substring(r.path().lastIndexOf('/') + 1), Collectors.counting()));
    }
}
