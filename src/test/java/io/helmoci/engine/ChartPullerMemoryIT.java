package io.helmoci.engine;

import static io.helmoci.engine.PullerTestbed.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.testbed.Digests;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.RegistryExtension;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulling a 200 MiB chart layer streams it: the heap, measured after full GCs, grows by a few MiB
 * at most, both while the pull runs and once it is over.
 */
class ChartPullerMemoryIT {
    private static final long MIB = 1024 * 1024;
    private static final long LAYER_BYTES = 200 * MIB;
    /** Allowed growth of the live heap: buffers, connection pool, TLS-free HTTP client, caches. */
    private static final long ALLOWED_GROWTH = 8 * MIB;

    @RegisterExtension
    static RegistryExtension registry =
            RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3).extension();

    @TempDir
    Path dir;

    @Test
    void aTwoHundredMebibyteLayerIsStreamedNotHeld() throws Exception {
        Path chart = CraftedCharts.large(dir.resolve("chart"), "bigchart", "1.0.0", LAYER_BYTES, 4 * MIB);
        assertThat(Files.size(chart)).isGreaterThan(LAYER_BYTES);
        new OrasCli(dir.resolve("oras"))
                .pushHelmChart(registry, "big/bigchart:1.0.0", chart)
                .orThrow();
        ChartLimits roomy = new ChartLimits(300 * MIB, 5 * MIB, 300 * MIB, 10_000);

        try (ChartPuller puller = new ChartPuller(dir.resolve("store"), roomy)) {
            PullRequest request = request(registry, "big/bigchart:1.0.0", Credentials.anonymous());
            puller.inspect(request); // warm up classes, the client and the token-free path
            long before = liveHeap();

            AtomicLong peak = new AtomicLong(before);
            AtomicLong samples = new AtomicLong();
            AtomicBoolean pulling = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> {
                while (pulling.get()) {
                    peak.accumulateAndGet(liveHeap(), Math::max);
                    samples.incrementAndGet();
                    sleep(100);
                }
            });
            sampler.start();
            PullResult result;
            try {
                result = puller.pull(request);
            } finally {
                pulling.set(false);
                sampler.join();
            }
            long after = liveHeap();

            System.out.printf(
                    "memory IT: layer %d MiB, live heap before %.1f MiB, peak during pull %.1f MiB (+%.1f, %d samples),"
                            + " after %.1f MiB (+%.1f)%n",
                    Files.size(chart) / MIB,
                    before / (double) MIB,
                    peak.get() / (double) MIB,
                    (peak.get() - before) / (double) MIB,
                    samples.get(),
                    after / (double) MIB,
                    (after - before) / (double) MIB);
            assertThat(samples.get()).as("heap samples taken while pulling").isGreaterThanOrEqualTo(3);
            assertThat(result.size()).isEqualTo(Files.size(chart));
            assertThat(Digests.sha256(result.path())).isEqualTo(Digests.sha256(chart));
            assertThat(peak.get() - before)
                    .as("live heap growth during the pull")
                    .isLessThan(ALLOWED_GROWTH);
            assertThat(after - before).as("live heap growth after the pull").isLessThan(ALLOWED_GROWTH);
        }
    }

    /** Used heap right after a full collection. */
    private static long liveHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
