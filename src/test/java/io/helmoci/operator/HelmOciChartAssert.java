package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.testbed.KubeApiServerFixture;
import io.helmoci.testbed.OperatorProcess;
import io.helmoci.testbed.ProcessRunner;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryFixture.RegistryRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The operator ITs' shared condition reads, waits and quiet-period assertions (as Keycloak's
 * CRAssert): a wait that times out fails with the resource's YAML and the operator's log attached.
 */
public record HelmOciChartAssert(KubeApiServerFixture kube, OperatorProcess operator) {
    /** How long any wait for the operator may take. */
    public static final Duration WAIT = Duration.ofSeconds(60);

    public HelmOciChart get(String namespace, String name) {
        return kube.client()
                .resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    /** Polls the resource until it has a status that matches; returns it. */
    public HelmOciChart await(String namespace, String name, Predicate<HelmOciChart> condition, String what) {
        AtomicReference<HelmOciChart> last = new AtomicReference<>();
        try {
            Awaitility.await(what)
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        HelmOciChart chart = get(namespace, name);
                        last.set(chart);
                        return chart != null && chart.getStatus() != null && condition.test(chart);
                    });
            return last.get();
        } catch (ConditionTimeoutException e) {
            throw operator.withLogAttached(new AssertionError(
                    "timed out waiting for " + what + " on " + namespace + "/" + name + ":\n"
                            + kube.kubectl("get", "hoc", name, "-n", namespace, "-o", "yaml")
                                    .stdout(),
                    e));
        }
    }

    /** Polls until the condition holds; returns when it did. */
    public Instant awaitTrue(BooleanSupplier condition, String what) {
        try {
            Awaitility.await(what)
                    .atMost(WAIT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(condition::getAsBoolean);
            return Instant.now();
        } catch (ConditionTimeoutException e) {
            throw operator.withLogAttached(new AssertionError("timed out waiting for " + what, e));
        }
    }

    /** Ready=True, as {@code kubectl wait} sees it. */
    public void awaitReady(String namespace, String name) {
        ProcessRunner.Result wait = kube.kubectl(
                "wait", "--for=condition=Ready", "hoc/" + name, "-n", namespace, "--timeout=" + WAIT.toSeconds() + "s");
        if (wait.exitCode() != 0) {
            ProcessRunner.Result yaml = kube.kubectl("get", "hoc", name, "-n", namespace, "-o", "yaml");
            throw operator.withLogAttached(new AssertionError("not Ready: " + wait.stderr() + "\n" + yaml.stdout()));
        }
    }

    /**
     * Watches the registry for {@code quiet}: fails at the first request from now on that matches
     * {@code which} (so a reconciliation that should not happen is caught as soon as it asks).
     */
    public static void assertNoRegistryRequestsFor(
            Duration quiet, RegistryFixture registry, Predicate<RegistryRequest> which, String why) {
        int before = registry.requests().size();
        try {
            Awaitility.await(why)
                    .during(quiet)
                    .atMost(quiet.plusSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> registry.requests().stream().skip(before).noneMatch(which));
        } catch (ConditionTimeoutException e) {
            assertThat(registry.requests().stream().skip(before)).as(why).noneMatch(which);
            throw e;
        }
    }

    public static Optional<Condition> condition(HelmOciChart chart, String type) {
        return chart.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    /** The condition's status ("True", "False", "Unknown"), or null when it is absent. */
    public static String conditionStatus(HelmOciChart chart, String type) {
        return condition(chart, type).map(Condition::getStatus).orElse(null);
    }

    public static String conditionReason(HelmOciChart chart, String type) {
        return condition(chart, type).map(Condition::getReason).orElse(null);
    }

    public static String readyReason(HelmOciChart chart) {
        return conditionReason(chart, Constants.CONDITION_READY);
    }

    public static String readyMessage(HelmOciChart chart) {
        return condition(chart, Constants.CONDITION_READY)
                .map(Condition::getMessage)
                .orElse(null);
    }

    public static String sha256(byte[] bytes) {
        try {
            return "sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
