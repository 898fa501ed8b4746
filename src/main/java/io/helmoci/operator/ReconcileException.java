package io.helmoci.operator;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * A reconciliation failure the user can act on: a stable condition reason, a message that says
 * what to do (never a secret), and what the controller should do next.
 */
public class ReconcileException extends RuntimeException {

    /** What the controller does after the failure, and how the conditions show it (kstatus). */
    public enum Disposition {
        /** Transient (network, throttling, server errors): retried with exponential backoff; Reconciling=True. */
        RETRY,
        /** Waits for something outside the spec (a Secret, a push to the registry): checked again when it changes and every interval. */
        WAIT,
        /** Only a spec change can help: Stalled=True; still checked every interval. */
        STALLED
    }

    /** Engine failures that a push to the registry or a fixed Secret resolves, without a spec change. */
    private static final Set<Reason> FIXED_OUTSIDE_THE_SPEC = EnumSet.of(
            Reason.CloudIdentityNotConfigured,
            Reason.CloudIdentityRejected,
            Reason.CloudAccessDenied,
            Reason.VersionNotFound,
            Reason.NoMatchingVersion,
            Reason.RepositoryNotFound,
            Reason.Forbidden,
            Reason.TlsError);

    private final String reason;
    private final Disposition disposition;

    public ReconcileException(String reason, String message, Disposition disposition) {
        this(reason, message, disposition, null);
    }

    public ReconcileException(String reason, String message, Disposition disposition, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.disposition = Objects.requireNonNull(disposition, "disposition");
    }

    /** Maps an engine failure: the reason name is kept 1:1, and so is the message (it already says what to do). */
    public static ReconcileException from(EngineException e) {
        Reason reason = e.reason();
        Disposition disposition = reason.retryable()
                ? Disposition.RETRY
                : FIXED_OUTSIDE_THE_SPEC.contains(reason) ? Disposition.WAIT : Disposition.STALLED;
        String message = e.getMessage() == null || e.getMessage().isBlank()
                ? reason.meaning() + " " + reason.remedy()
                : e.getMessage();
        return new ReconcileException(ConditionReasons.of(reason), message, disposition, e);
    }

    /** Classifies any exception that escaped a reconciliation (java-operator-sdk wraps them in an OperatorException). */
    public static ReconcileException from(Exception e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof ReconcileException r) {
                return r;
            }
            if (cause instanceof EngineException engine) {
                return from(engine);
            }
        }
        return new ReconcileException(
                ConditionReasons.INTERNAL_ERROR,
                "Unexpected " + e.getClass().getSimpleName()
                        + " while reconciling; it is retried. Please report it if it persists.",
                Disposition.RETRY,
                e);
    }

    /**
     * An {@link Error} thrown while reconciling (a stack overflow, a linkage problem, memory exhausted
     * where the JVM was not told to exit): an internal error, retried, so the resource never stays
     * Reconciling without a reason.
     */
    public static ReconcileException fromError(Error e) {
        return new ReconcileException(
                ConditionReasons.INTERNAL_ERROR,
                "Unexpected " + e.getClass().getSimpleName()
                        + " while reconciling; it is retried. Please report it if it persists.",
                Disposition.RETRY,
                e);
    }

    public String reason() {
        return reason;
    }

    public Disposition disposition() {
        return disposition;
    }
}
