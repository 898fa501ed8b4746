package io.helmoci.operator.credentials;

import io.helmoci.engine.Reason;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;

import java.util.function.Supplier;

/**
 * Puts {@link CredentialsReader#missingPullSecretsNote} on the status: a ServiceAccount's missing
 * imagePullSecrets are skipped as the kubelet skips them, but the user is told which ones, after
 * the Ready message of a success and after the message of a failure that credentials can cause.
 */
public final class MissingPullSecrets {
    /** Status messages are capped at this length by the status builder; the note is kept within it. */
    private static final int MAX_MESSAGE = 1024;

    private MissingPullSecrets() {
    }

    /** Appends {@code note} (if any) to the Ready condition's message. */
    public static void noteOnReady(HelmOciChartStatus status, String note) {
        if (note.isEmpty() || status == null || status.getConditions() == null) {
            return;
        }
        status.getConditions().stream().filter(c -> Constants.CONDITION_READY.equals(c.getType()) && "True".equals(c.getStatus()))
                .findFirst().ifPresent(ready -> ready.setMessage(join(ready.getMessage(), note)));
    }

    /** The failure with the note appended when credentials can explain it (the registry refused them). */
    public static ReconcileException noteOnFailure(ReconcileException failure, Supplier<String> note) {
        if (!failure.reason().equals(ConditionReasons.of(Reason.Unauthorized)) && !failure.reason().equals(ConditionReasons.of(Reason.Forbidden))) {
            return failure;
        }
        String text;
        try {
            text = note.get();
        } catch (RuntimeException e) {
            return failure; // the note is a help, never a new failure
        }
        return text.isEmpty() ? failure
                : new ReconcileException(failure.reason(), join(failure.getMessage(), text), failure.disposition(), failure.getCause());
    }

    private static String join(String message, String note) {
        String joined = (message == null ? "" : message.endsWith(".") ? message + " " : message + ". ") + note;
        return joined.length() > MAX_MESSAGE ? joined.substring(0, MAX_MESSAGE - 1) + "…" : joined;
    }
}
