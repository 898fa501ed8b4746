package io.helmoci.operator.fairness;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WorkLimiterTest {
    private final WorkLimiter limiter = new WorkLimiter(2, 3, "per-registry-setting", "per-namespace-setting");

    @Test
    void aWorkerWaitingForAFullRegistryTakesTheSlotFreedMeanwhileAndIsRefusedWhenNoneIsFreed() throws Exception {
        WorkLimiter.Admission a = limiter.tryEnter("busy.example", "tenant-a");
        WorkLimiter.Admission b = limiter.tryEnter("busy.example", "tenant-b");
        java.util.concurrent.CompletableFuture<WorkLimiter.Admission> waiting =
                java.util.concurrent.CompletableFuture.supplyAsync(
                        () -> limiter.enter("busy.example", "tenant-c", java.time.Duration.ofMinutes(1)));
        a.close();

        assertThat(waiting.get(1, java.util.concurrent.TimeUnit.MINUTES).admitted())
                .as("admitted when a slot was freed, not refused")
                .isTrue();
        assertThat(limiter.enter("busy.example", "tenant-c", java.time.Duration.ofMillis(20))
                        .admitted())
                .as("refused when no slot is freed within the wait")
                .isFalse();
        b.close();
    }

    @Test
    void aFullRegistryRefusesAtOnceWhileOthersAreAdmitted() {
        WorkLimiter.Admission a = limiter.tryEnter("slow.example:5000", "tenant-a");
        WorkLimiter.Admission b = limiter.tryEnter("slow.example:5000", "tenant-b");
        WorkLimiter.Admission refused = limiter.tryEnter("slow.example:5000", "tenant-c");
        WorkLimiter.Admission other = limiter.tryEnter("ghcr.io", "tenant-c");

        assertThat(a.admitted()).isTrue();
        assertThat(b.admitted()).isTrue();
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.message())
                .contains("registry slow.example:5000")
                .contains("2 reconciliations")
                .contains("per-registry-setting");
        assertThat(other.admitted()).isTrue();

        a.close();
        a.close(); // closing twice frees one slot only
        assertThat(limiter.running("slow.example:5000")).isEqualTo(1);
        assertThat(limiter.tryEnter("slow.example:5000", "tenant-c").admitted()).isTrue();
        assertThat(limiter.tryEnter("slow.example:5000", "tenant-c").admitted()).isFalse();
    }

    @Test
    void aFullNamespaceRefusesAndGivesBackTheRegistrySlot() {
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryEnter("r" + i, "noisy").admitted()).isTrue();
        }
        WorkLimiter.Admission refused = limiter.tryEnter("r9", "noisy");
        assertThat(refused.admitted()).isFalse();
        assertThat(refused.message()).contains("namespace noisy").contains("per-namespace-setting");
        assertThat(limiter.running("r9")).isZero();
        assertThat(limiter.tryEnter("r9", "quiet").admitted()).isTrue();
    }

    @Test
    void anInvalidReferenceCountsForItsNamespaceOnly() {
        assertThat(limiter.tryEnter(null, "ns").admitted()).isTrue();
        assertThat(limiter.tryEnter(null, "ns").admitted()).isTrue();
        assertThat(limiter.tryEnter(null, "ns").admitted()).isTrue();
        assertThat(limiter.tryEnter(null, "ns").admitted()).isFalse();
    }

    @Test
    void theRegistryIsTheHostOfTheOciUrl() {
        assertThat(WorkLimiter.registryOf("oci://Registry.Example:5000/charts/app"))
                .isEqualTo("registry.example:5000");
        assertThat(WorkLimiter.registryOf("oci://ghcr.io")).isEqualTo("ghcr.io");
        assertThat(WorkLimiter.registryOf("https://example.com/charts")).isNull();
        assertThat(WorkLimiter.registryOf(null)).isNull();
    }
}
