package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SingleFlightTest {
    private final MutableClock clock = new MutableClock();

    @Test
    void concurrentCallersOfOneKeyShareOneComputation() throws Exception {
        SingleFlight<String, Integer> flight = new SingleFlight<>(Duration.ZERO, clock);
        AtomicInteger computed = new AtomicInteger();
        CountDownLatch leaderStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            Future<Integer> leader = pool.submit(() -> flight.get("k", () -> {
                leaderStarted.countDown();
                await(release);
                return computed.incrementAndGet();
            }));
            assertThat(leaderStarted.await(10, TimeUnit.SECONDS)).isTrue();
            List<Future<Integer>> followers = new ArrayList<>();
            List<Thread> followerThreads = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < 4; i++) {
                followers.add(pool.submit(() -> {
                    followerThreads.add(Thread.currentThread());
                    return flight.get("k", computed::incrementAndGet);
                }));
            }
            // Every follower parked waiting for the leader's result (none can finish before it).
            while (followerThreads.size() < 4
                    || followerThreads.stream().anyMatch(t -> t.getState() != Thread.State.WAITING)) {
                Thread.onSpinWait();
            }
            release.countDown();
            assertThat(leader.get()).isEqualTo(1);
            for (Future<Integer> follower : followers) {
                assertThat(follower.get()).isEqualTo(1);
            }
            assertThat(computed).hasValue(1);
            assertThat(flight.get("k", computed::incrementAndGet))
                    .as("ttl 0: nothing kept after completion")
                    .isEqualTo(2);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aResultIsReusedForTheTtlThenAskedAgain() {
        SingleFlight<String, Integer> flight = new SingleFlight<>(Duration.ofSeconds(5), clock);
        AtomicInteger computed = new AtomicInteger();
        assertThat(flight.get("k", computed::incrementAndGet)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(4));
        assertThat(flight.get("k", computed::incrementAndGet)).isEqualTo(1);
        assertThat(flight.get("other", computed::incrementAndGet))
                .as("another key is its own")
                .isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        assertThat(flight.get("k", computed::incrementAndGet))
                .as("expired after the ttl")
                .isEqualTo(3);
    }

    @Test
    void aCallerOnASharedRoundReusesAResultStartedSinceTheRoundBeyondTheTtl() {
        SingleFlight<String, Integer> flight = new SingleFlight<>(Duration.ofSeconds(5), Duration.ofMinutes(5), clock);
        AtomicInteger computed = new AtomicInteger();
        Instant round = clock.instant();
        clock.advance(Duration.ofSeconds(1));
        assertThat(flight.get("k", round, computed::incrementAndGet)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(30));
        assertThat(flight.get("k", round, computed::incrementAndGet))
                .as("requested since the round started: reused after the ttl")
                .isEqualTo(1);
        assertThat(flight.get("k", computed::incrementAndGet))
                .as("a caller without a round gets the ttl only")
                .isEqualTo(2);
        Instant nextRound = clock.instant().plusSeconds(1);
        clock.advance(Duration.ofSeconds(10));
        assertThat(flight.get("k", nextRound, computed::incrementAndGet))
                .as("the next round does not reuse an answer from before it")
                .isEqualTo(3);
        clock.advance(Duration.ofMinutes(5));
        assertThat(flight.get("k", nextRound, computed::incrementAndGet))
                .as("not kept beyond keep")
                .isEqualTo(4);
    }

    @Test
    void failuresAreNotKept() {
        SingleFlight<String, Integer> flight = new SingleFlight<>(Duration.ofMinutes(1), clock);
        assertThatThrownBy(() -> flight.get("k", () -> {
                    throw new EngineException(Reason.RegistryUnavailable, "down");
                }))
                .isInstanceOf(EngineException.class)
                .hasMessage("down");
        assertThat(flight.get("k", () -> 7)).isEqualTo(7);
        assertThat(flight.size()).isEqualTo(1);
    }

    @Test
    void credentialsAndTrustArePartOfTheKeyButNoSecret() {
        var ref = io.helmoci.engine.reference.OciReference.parse("oci://registry.example/charts/app");
        RegistryOptions a = RegistryOptions.defaults().withCredentials(Credentials.basic("a", "secret-one"));
        RegistryOptions b = RegistryOptions.defaults().withCredentials(Credentials.basic("a", "secret-two"));
        RegistryOptions plain =
                a.withTransport(a.transport().toBuilder().plainHttp(true).build());
        assertThat(SharedLookups.key(ref, a, "tags/list"))
                .isEqualTo(SharedLookups.key(ref, a, "tags/list"))
                .isNotEqualTo(SharedLookups.key(ref, b, "tags/list"))
                .isNotEqualTo(SharedLookups.key(ref, plain, "tags/list"));
        assertThat(SharedLookups.key(ref, a, "tags/list").toString()).doesNotContain("secret-one");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void forgettingBeforeAnInstantKeepsWhatWasObtainedSince() {
        SingleFlight<String, Integer> flight = new SingleFlight<>(Duration.ofMinutes(1), clock);
        AtomicInteger computed = new AtomicInteger();
        flight.get("repo-a", computed::incrementAndGet);
        flight.get("repo-b", computed::incrementAndGet);
        java.time.Instant announced = clock.instant().plusMillis(1);
        clock.advance(Duration.ofSeconds(1));

        flight.forgetCompletedBefore("repo-a"::equals, announced);

        assertThat(flight.get("repo-a", computed::incrementAndGet))
                .as("asked again")
                .isEqualTo(3);
        assertThat(flight.get("repo-b", computed::incrementAndGet))
                .as("another key kept")
                .isEqualTo(2);
        flight.forgetCompletedBefore("repo-a"::equals, announced);
        assertThat(flight.get("repo-a", computed::incrementAndGet))
                .as("obtained after the announcement: reused by the next caller told about it")
                .isEqualTo(3);
    }
}
