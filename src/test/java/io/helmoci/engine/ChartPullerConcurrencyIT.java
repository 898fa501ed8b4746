package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.registry.Credentials;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many resources resolving one repository at once (an operator starting up) share one bearer
 * token: concurrent first requests wait for the one token fetch instead of each fetching their own.
 */
class ChartPullerConcurrencyIT {
    private static final int CONCURRENT = 8;

    @RegisterExtension
    static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
            .tokenAuth(tokens -> tokens.anonymousPull(true))
            .user("pusher", "push-pass")
            .extension();

    @Test
    void concurrentColdResolvesOfOneRepositoryFetchOneToken(@TempDir Path work) throws Exception {
        HelmCli helm = new HelmCli(work.resolve("helm"));
        helm.login(registry, "pusher", "push-pass");
        helm.push(registry, new ChartFactory(helm, work).create(ChartSpec.of("shared", "1.0.0")), "charts");
        registry.tokenServer().resetRequests();

        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT); // not AutoCloseable on Java 17
        try (ChartPuller puller = new ChartPuller(work.resolve("store"))) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Resolution>> resolutions = IntStream.range(0, CONCURRENT)
                    .mapToObj(i -> pool.submit(() -> {
                        start.await();
                        return puller.inspect(
                                PullerTestbed.request(registry, "charts/shared:1.0.0", Credentials.anonymous()));
                    }))
                    .toList();
            start.countDown();
            for (Future<Resolution> resolution : resolutions) {
                assertThat(resolution.get().version()).isEqualTo("1.0.0");
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(registry.tokenServer().requestCount())
                .as("token requests for %d concurrent resolves", CONCURRENT)
                .isEqualTo(1);
    }
}
