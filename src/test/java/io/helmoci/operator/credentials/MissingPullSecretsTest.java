package io.helmoci.operator.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.ReconcileException.Disposition;
import org.junit.jupiter.api.Test;

class MissingPullSecretsTest {
    private static final String NOTE =
            "The imagePullSecrets gone of ServiceAccount sa do not exist in namespace ns and were skipped.";

    @Test
    void theNoteFollowsOnlyFailuresCredentialsCanCause() {
        ReconcileException unauthorized =
                new ReconcileException("Unauthorized", "The registry rejected the credentials.", Disposition.RETRY);
        ReconcileException missingVersion =
                new ReconcileException("VersionNotFound", "No tag 9.9.9.", Disposition.WAIT);

        ReconcileException noted = MissingPullSecrets.noteOnFailure(unauthorized, () -> NOTE);
        assertThat(noted.getMessage()).isEqualTo("The registry rejected the credentials. " + NOTE);
        assertThat(noted.reason()).isEqualTo("Unauthorized");
        assertThat(noted.disposition()).isEqualTo(Disposition.RETRY);
        assertThat(MissingPullSecrets.noteOnFailure(missingVersion, () -> NOTE)).isSameAs(missingVersion);
        assertThat(MissingPullSecrets.noteOnFailure(unauthorized, () -> "")).isSameAs(unauthorized);
        assertThat(MissingPullSecrets.noteOnFailure(unauthorized, () -> {
                    throw new IllegalStateException("cache gone");
                }))
                .isSameAs(unauthorized);
    }
}
