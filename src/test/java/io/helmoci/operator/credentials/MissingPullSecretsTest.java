package io.helmoci.operator.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;

class MissingPullSecretsTest {
    private static final String NOTE = "The imagePullSecrets gone of ServiceAccount sa do not exist in namespace ns and were skipped.";

    @Test
    void theNoteFollowsTheReadyMessageOfASuccess() {
        HelmOciChartStatus status = new HelmOciChartStatus();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(new ConditionBuilder().withType(Constants.CONDITION_READY).withStatus("True").withMessage("Serving c 1.0.0").build());
        status.setConditions(conditions);

        MissingPullSecrets.noteOnReady(status, NOTE);
        assertThat(status.getConditions().get(0).getMessage()).isEqualTo("Serving c 1.0.0. " + NOTE);
        MissingPullSecrets.noteOnReady(status, "");
        assertThat(status.getConditions().get(0).getMessage()).isEqualTo("Serving c 1.0.0. " + NOTE);
    }

    @Test
    void theNoteFollowsOnlyFailuresCredentialsCanCause() {
        ReconcileException unauthorized = new ReconcileException("Unauthorized", "The registry rejected the credentials.", Disposition.RETRY);
        ReconcileException missingVersion = new ReconcileException("VersionNotFound", "No tag 9.9.9.", Disposition.WAIT);

        ReconcileException noted = MissingPullSecrets.noteOnFailure(unauthorized, () -> NOTE);
        assertThat(noted.getMessage()).isEqualTo("The registry rejected the credentials. " + NOTE);
        assertThat(noted.reason()).isEqualTo("Unauthorized");
        assertThat(noted.disposition()).isEqualTo(Disposition.RETRY);
        assertThat(MissingPullSecrets.noteOnFailure(missingVersion, () -> NOTE)).isSameAs(missingVersion);
        assertThat(MissingPullSecrets.noteOnFailure(unauthorized, () -> "")).isSameAs(unauthorized);
        assertThat(MissingPullSecrets.noteOnFailure(unauthorized, () -> {
            throw new IllegalStateException("cache gone");
        })).isSameAs(unauthorized);
    }
}
