package io.helmoci.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiver;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiverSpec;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiverStatus;
import io.helmoci.operator.api.v1alpha1.LocalReference;
import io.helmoci.testbed.MutableClock;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The receiver's status: the path from the token, or why there is none, never the token itself. */
class HelmOciReceiverReconcilerTest {
    final HelmOciReceiverReconciler reconciler = new HelmOciReceiverReconciler(new MutableClock());

    @Test
    void aTokenGivesFluxsPathAndReady() {
        HelmOciReceiverStatus status = reconciler.status(receiver(), secret(Map.of("token", "s3cr3t")), "hook-token");

        assertThat(status.getWebhookPath()).isEqualTo(WebhookPath.of("s3cr3t", "hook", "team-a"));
        Condition ready = status.getConditions().get(0);
        assertThat(ready.getStatus()).isEqualTo("True");
        assertThat(ready.getReason()).isEqualTo(ConditionReasons.SUCCEEDED);
        assertThat(ready.getMessage())
                .contains(status.getWebhookPath(), "harbor")
                .doesNotContain("s3cr3t");
        assertThat(status.getObservedGeneration()).isEqualTo(3L);
    }

    @Test
    void aMissingSecretSaysWhatToCreate() {
        HelmOciReceiverStatus status = reconciler.status(receiver(), null, "hook-token");

        assertThat(status.getWebhookPath()).isNull();
        Condition ready = status.getConditions().get(0);
        assertThat(ready.getStatus()).isEqualTo("False");
        assertThat(ready.getReason()).isEqualTo(ConditionReasons.SECRET_NOT_FOUND);
        assertThat(ready.getMessage()).contains("hook-token", "team-a", "token");
    }

    @Test
    void aSecretWithoutTokenIsInvalid() {
        for (Secret secret : new Secret[] {secret(Map.of("password", "x")), secret(Map.of("token", "  "))}) {
            HelmOciReceiverStatus status = reconciler.status(receiver(), secret, "hook-token");

            assertThat(status.getWebhookPath()).isNull();
            assertThat(status.getConditions().get(0).getReason()).isEqualTo(ConditionReasons.INVALID_SECRET);
        }
    }

    @Test
    void theTransitionTimeStaysWhileReadinessIsUnchanged() {
        HelmOciReceiver receiver = receiver();
        HelmOciReceiverStatus first = reconciler.status(receiver, secret(Map.of("token", "a")), "hook-token");
        receiver.setStatus(first);
        String since = first.getConditions().get(0).getLastTransitionTime();

        HelmOciReceiverStatus rotated = reconciler.status(receiver, secret(Map.of("token", "b")), "hook-token");

        assertThat(rotated.getWebhookPath()).isNotEqualTo(first.getWebhookPath());
        assertThat(rotated.getConditions().get(0).getLastTransitionTime()).isEqualTo(since);
    }

    static HelmOciReceiver receiver() {
        HelmOciReceiver receiver = new HelmOciReceiver();
        receiver.setMetadata(new ObjectMetaBuilder()
                .withName("hook")
                .withNamespace("team-a")
                .withGeneration(3L)
                .build());
        HelmOciReceiverSpec spec = new HelmOciReceiverSpec();
        spec.setType("harbor");
        spec.setSecretRef(new LocalReference("hook-token"));
        receiver.setSpec(spec);
        return receiver;
    }

    static Secret secret(Map<String, String> data) {
        SecretBuilder secret = new SecretBuilder()
                .withNewMetadata()
                .withName("hook-token")
                .withNamespace("team-a")
                .endMetadata();
        data.forEach((key, value) ->
                secret.addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))));
        return secret.build();
    }
}
