package io.helmoci.operator.webhook;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiver;
import io.helmoci.operator.api.v1alpha1.HelmOciReceiverStatus;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Publishes a HelmOciReceiver's webhook path (derived from its Secret's token) and whether it is
 * Ready. The Secret is read again every {@link #RECHECK}, so a rotated token shows in the status
 * within it; the listener itself always checks the current token ({@link ReceiverDirectory}).
 */
@ControllerConfiguration(name = "helm-oci-receiver", fieldManager = Constants.FIELD_MANAGER)
public class HelmOciReceiverReconciler implements Reconciler<HelmOciReceiver> {
    static final Duration RECHECK = Duration.ofMinutes(1);

    private final Clock clock;

    public HelmOciReceiverReconciler() {
        this(Clock.systemUTC());
    }

    HelmOciReceiverReconciler(Clock clock) {
        this.clock = clock;
    }

    @Override
    public UpdateControl<HelmOciReceiver> reconcile(HelmOciReceiver receiver, Context<HelmOciReceiver> context) {
        String namespace = receiver.getMetadata().getNamespace();
        String secretName = receiver.getSpec().getSecretRef() == null
                ? null
                : receiver.getSpec().getSecretRef().getName();
        Secret secret = secretName == null
                ? null
                : context.getClient()
                        .secrets()
                        .inNamespace(namespace)
                        .withName(secretName)
                        .get();
        HelmOciReceiverStatus status = status(receiver, secret, secretName);
        UpdateControl<HelmOciReceiver> control = sameStatus(receiver.getStatus(), status)
                ? UpdateControl.noUpdate()
                : UpdateControl.patchStatus(statusPatch(receiver, status));
        return control.rescheduleAfter(RECHECK);
    }

    HelmOciReceiverStatus status(HelmOciReceiver receiver, Secret secret, String secretName) {
        String namespace = receiver.getMetadata().getNamespace();
        String name = receiver.getMetadata().getName();
        HelmOciReceiverStatus status = new HelmOciReceiverStatus();
        status.setObservedGeneration(receiver.getMetadata().getGeneration());
        if (secret == null) {
            status.setConditions(List.of(ready(
                    receiver,
                    "False",
                    ConditionReasons.SECRET_NOT_FOUND,
                    "Secret " + secretName + " (spec.secretRef) does not exist in namespace " + namespace
                            + ": create it with the key '" + Constants.RECEIVER_TOKEN_KEY
                            + "' holding a random token (for example: openssl rand -hex 32).")));
            return status;
        }
        Optional<String> token = ReceiverDirectory.readToken(secret);
        if (token.isEmpty()) {
            status.setConditions(List.of(ready(
                    receiver,
                    "False",
                    ConditionReasons.INVALID_SECRET,
                    "Secret " + secretName + " has no non-empty key '" + Constants.RECEIVER_TOKEN_KEY
                            + "': add one holding a random token (for example: openssl rand -hex 32).")));
            return status;
        }
        String path = WebhookPath.of(token.get(), name, namespace);
        status.setWebhookPath(path);
        status.setConditions(List.of(ready(
                receiver,
                "True",
                ConditionReasons.SUCCEEDED,
                "Receiving " + receiver.getSpec().getType() + " events at " + path
                        + " on the operator's webhook port; a push makes "
                        + describe(receiver.getSpec().getChartSelector()) + " of namespace " + namespace
                        + " whose spec.url names the pushed repository check at once.")));
        return status;
    }

    private static String describe(LabelSelector selector) {
        return selector == null ? "every HelmOciChart" : "the HelmOciCharts matching spec.chartSelector";
    }

    private Condition ready(HelmOciReceiver receiver, String value, String reason, String message) {
        String since = Optional.ofNullable(receiver.getStatus())
                .map(HelmOciReceiverStatus::getConditions)
                .flatMap(conditions -> conditions.stream()
                        .filter(c -> Constants.CONDITION_READY.equals(c.getType()) && value.equals(c.getStatus()))
                        .findFirst())
                .map(Condition::getLastTransitionTime)
                .orElseGet(() -> clock.instant()
                        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                        .toString());
        return new ConditionBuilder()
                .withType(Constants.CONDITION_READY)
                .withStatus(value)
                .withReason(reason)
                .withMessage(message)
                .withObservedGeneration(receiver.getMetadata().getGeneration())
                .withLastTransitionTime(since)
                .build();
    }

    private static boolean sameStatus(HelmOciReceiverStatus before, HelmOciReceiverStatus after) {
        return before != null
                && Objects.equals(before.getWebhookPath(), after.getWebhookPath())
                && Objects.equals(before.getObservedGeneration(), after.getObservedGeneration())
                && Objects.equals(before.getConditions(), after.getConditions());
    }

    private static HelmOciReceiver statusPatch(HelmOciReceiver receiver, HelmOciReceiverStatus status) {
        HelmOciReceiver patch = new HelmOciReceiver();
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(receiver.getMetadata().getName())
                .withNamespace(receiver.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }
}
