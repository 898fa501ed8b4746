package io.helmoci.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.operator.ReconcileException.Disposition;
import org.junit.jupiter.api.Test;

class ReconcileExceptionTest {

    @Test
    void engineReasonsMapOneToOneAndDecideRetryWaitOrStall() {
        for (Reason reason : Reason.values()) {
            ReconcileException mapped =
                    ReconcileException.from(new EngineException(reason, "Something about " + reason + "."));
            assertThat(mapped.reason()).isEqualTo(reason.name());
            assertThat(mapped.getMessage()).isEqualTo("Something about " + reason + ".");
            if (reason.retryable()) {
                assertThat(mapped.disposition()).as(reason.name()).isEqualTo(Disposition.RETRY);
            } else {
                assertThat(mapped.disposition()).as(reason.name()).isNotEqualTo(Disposition.RETRY);
            }
        }
        assertThat(ReconcileException.from(new EngineException(Reason.NotAHelmChart, "x"))
                        .disposition())
                .isEqualTo(Disposition.STALLED);
        assertThat(ReconcileException.from(new EngineException(Reason.InvalidReference, "x"))
                        .disposition())
                .isEqualTo(Disposition.STALLED);
        assertThat(ReconcileException.from(new EngineException(Reason.VersionNotFound, "x"))
                        .disposition())
                .isEqualTo(Disposition.WAIT);
    }

    @Test
    void failuresWrappedByTheOperatorSdkKeepTheirReason() {
        var wrapped = new io.javaoperatorsdk.operator.OperatorException(
                new ReconcileException(ConditionReasons.SECRET_NOT_FOUND, "Secret x is missing.", Disposition.WAIT));
        var engine = new io.javaoperatorsdk.operator.OperatorException(
                new EngineException(Reason.RegistryUnavailable, "down"));

        assertThat(ReconcileException.from(wrapped).reason()).isEqualTo(ConditionReasons.SECRET_NOT_FOUND);
        assertThat(ReconcileException.from(engine).reason()).isEqualTo("RegistryUnavailable");
    }

    @Test
    void anErrorBecomesARetriedInternalErrorThatKeepsItAsCause() {
        StackOverflowError error = new StackOverflowError();
        ReconcileException failure = ReconcileException.fromError(error);

        assertThat(failure.reason()).isEqualTo(ConditionReasons.INTERNAL_ERROR);
        assertThat(failure.disposition()).isEqualTo(Disposition.RETRY);
        assertThat(failure.getMessage()).contains("StackOverflowError", "retried");
        assertThat(failure.getCause()).isSameAs(error);
        assertThat(ReconcileException.from((Exception) failure)).isSameAs(failure);
    }

    @Test
    void unexpectedExceptionsAreRetriedAsInternalErrorsWithoutTheirMessage() {
        ReconcileException mapped = ReconcileException.from(new IllegalStateException("password=hunter2"));

        assertThat(mapped.reason()).isEqualTo(ConditionReasons.INTERNAL_ERROR);
        assertThat(mapped.disposition()).isEqualTo(Disposition.RETRY);
        assertThat(mapped.getMessage()).contains("IllegalStateException").doesNotContain("hunter2");
    }
}
