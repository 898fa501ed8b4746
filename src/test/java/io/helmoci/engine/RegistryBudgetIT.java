package io.helmoci.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.chart.ChartLimits;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.ExchangeObserver;
import io.helmoci.engine.registry.RegistryBudget;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.RequestSharing;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that rate-limits (429 with Retry-After) gets at most one request per Retry-After from
 * the whole engine, however many callers keep asking; callers learn when to try again; after the
 * registry recovers, requests flow again.
 */
class RegistryBudgetIT {
    private static final int RETRY_AFTER_SECONDS = 2;
    private static final int CALLERS = 8;
    private static final Duration LIMITED_WINDOW = Duration.ofSeconds(7);

    @Test
    void aThrottlingRegistryGetsOneRequestPerRetryAfterAndCallersRecoverByThemselves(@TempDir Path store)
            throws Exception {
        AtomicBoolean limited = new AtomicBoolean(true);
        AtomicInteger duringLimit = new AtomicInteger();
        try (ScriptedHttpServer registry = ScriptedHttpServer.start((exchange, request) -> {
                    if (limited.get()) {
                        duringLimit.incrementAndGet();
                        ScriptedHttpServer.respond(
                                exchange,
                                429,
                                Map.of(
                                        "Retry-After",
                                        String.valueOf(RETRY_AFTER_SECONDS),
                                        "Content-Type",
                                        "application/json"),
                                "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
                    } else {
                        ScriptedHttpServer.respond(
                                exchange,
                                200,
                                Map.of("Content-Type", "application/json"),
                                "{\"name\":\"charts/app\",\"tags\":[\"1.0.0\"]}");
                    }
                });
                ChartPuller puller = new ChartPuller(
                        store,
                        ChartLimits.defaults(),
                        Clock.systemUTC(),
                        ExchangeObserver.NONE,
                        RequestSharing.inFlightOnly(),
                        new RegistryBudget.Limits(4, 0, Duration.ofSeconds(30), true))) {
            PullRequest request = PullRequest.of(
                    OciReference.parse("oci://" + registry.hostPort() + "/charts/app"),
                    new RegistryOptions(
                            io.helmoci.engine.registry.Credentials.anonymous(),
                            TransportOptions.builder()
                                    .plainHttp(true)
                                    .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(30))
                                    .build()));

            RegistryThrottledException first =
                    catchThrowableOfType(RegistryThrottledException.class, () -> puller.availableVersions(request));
            assertThat(first)
                    .as("a 429 becomes RateLimited at once, not retried in-line")
                    .isNotNull();
            assertThat(first.reason()).isEqualTo(Reason.RateLimited);
            assertThat(first.getMessage()).contains("next request to it goes out at");
            assertThat(first.retryAt()).isAfter(Instant.now().plusMillis(RETRY_AFTER_SECONDS * 1000L - 500));

            // Many callers keep asking, each coming back when told (as the operator requeues resources).
            Instant start = Instant.now();
            Instant end = start.plus(LIMITED_WINDOW);
            AtomicInteger refusedWithoutSending = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(CALLERS);
            try {
                List<Future<?>> callers = new ArrayList<>();
                for (int i = 0; i < CALLERS; i++) {
                    callers.add(pool.submit(() -> {
                        while (Instant.now().isBefore(end)) {
                            try {
                                puller.availableVersions(request);
                            } catch (RegistryThrottledException e) {
                                refusedWithoutSending.incrementAndGet();
                                sleepUntil(e.retryAt().isBefore(end) ? e.retryAt() : end);
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> caller : callers) {
                    caller.get();
                }
            } finally {
                pool.shutdownNow();
            }
            long windowSeconds = Duration.between(start, Instant.now()).toSeconds() + 1;
            int sent = duringLimit.get() - 1; // the first 429 above came before the window
            System.out.printf(
                    "429 window of %ds, Retry-After %ds, %d callers: %d requests sent, %d refused without sending%n",
                    windowSeconds, RETRY_AFTER_SECONDS, CALLERS, sent, refusedWithoutSending.get());
            assertThat(sent)
                    .as(
                            "requests during %ds of 429s with Retry-After %ds (%d refusals without sending)",
                            windowSeconds, RETRY_AFTER_SECONDS, refusedWithoutSending.get())
                    .isGreaterThanOrEqualTo(1)
                    .isLessThanOrEqualTo((int) (windowSeconds / RETRY_AFTER_SECONDS) + 1);
            assertThat(refusedWithoutSending.get())
                    .as("callers were told to wait instead of sending")
                    .isGreaterThan(sent);

            limited.set(false);
            Instant deadline = Instant.now().plusSeconds(RETRY_AFTER_SECONDS * 3L);
            List<String> versions = null;
            while (versions == null && Instant.now().isBefore(deadline)) {
                try {
                    versions = puller.availableVersions(request);
                } catch (RegistryThrottledException e) {
                    sleepUntil(e.retryAt());
                }
            }
            assertThat(versions).as("after the registry recovered").containsExactly("1.0.0");
            assertThat(puller.availableVersions(request))
                    .as("and requests flow again")
                    .containsExactly("1.0.0");
        }
    }

    private static void sleepUntil(Instant at) {
        long millis = Duration.between(Instant.now(), at).toMillis();
        if (millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
