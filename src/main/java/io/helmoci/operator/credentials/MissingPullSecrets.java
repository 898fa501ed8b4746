package io.helmoci.operator.credentials;

import io.helmoci.engine.Reason;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.ReconcileException;
import java.util.function.Supplier;

/**
 * Puts {@link CredentialsReader#missingPullSecretsNote} after the message of a failure that
 * credentials can cause: a ServiceAccount's missing imagePullSecrets are skipped as the kubelet
 * skips them, but the user is told which ones (after a success, the ReadCredentials step notes it).
 */
public final class MissingPullSecrets {
    /** Status messages are capped at this length by the status builder; the note is kept within it. */
    private static final int MAX_MESSAGE = 1024;

    private MissingPullSecrets() {}

    /** The failure with the note appended when credentials can explain it (the registry refused them). */
    public static ReconcileException noteOnFailure(ReconcileException failure, Supplier<String> note) {
        if (!failure.reason().equals(ConditionReasons.of(Reason.Unauthorized))
                && !failure.reason().equals(ConditionReasons.of(Reason.Forbidden))) {
            return failure;
        }
        String text;
        try {
            text = note.get();
        } catch (RuntimeException e) {
            return failure; // the note is a help, never a new failure
        }
        return text.isEmpty()
                ? failure
                : new ReconcileException(
                        failure.reason(), join(failure.getMessage(), text), failure.disposition(), failure.getCause());
    }

    private static String join(String message, String note) {
        String joined = (message == null ? "" : message.endsWith(".") ? message + " " : message + ". ") + note;
        return joined.length() > MAX_MESSAGE ? joined.substring(0, MAX_MESSAGE - 1) + "…" : joined;
    }
}
