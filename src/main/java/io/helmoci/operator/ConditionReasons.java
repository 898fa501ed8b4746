package io.helmoci.operator;

import io.helmoci.engine.Reason;

/**
 * The stable reasons the operator writes into conditions and events, besides the engine's own
 * {@link Reason} names (which map 1:1: a failed pull shows {@code reason: VersionNotFound} etc.).
 * These names are a public contract for users' health checks: never rename one.
 */
public final class ConditionReasons {
    /** Ready=True: the chart was resolved, pulled, verified and its artifact is served. */
    public static final String SUCCEEDED = "Succeeded";
    /** Ready=Unknown, Reconciling=True: a new generation is being worked on. */
    public static final String PROGRESSING = "Progressing";
    /** Reconciling=True after a transient failure: the controller retries with backoff. */
    public static final String PROGRESSING_WITH_RETRY = "ProgressingWithRetry";
    /** Ready unchanged (or False before any success): spec.suspend is true, no registry request is made. */
    public static final String SUSPENDED = "Suspended";
    /** Ready=False: spec.secretRef, spec.certSecretRef or an imagePullSecret of the ServiceAccount does not exist in the namespace. Create it; the resource recovers at once. */
    public static final String SECRET_NOT_FOUND = "SecretNotFound";
    /** Ready=False: a referenced Secret has an unsupported type or lacks the keys its type needs. Fix the Secret. */
    public static final String INVALID_SECRET = "InvalidSecret";
    /** Ready=False: spec.serviceAccountName names a ServiceAccount that does not exist in the namespace. */
    public static final String SERVICE_ACCOUNT_NOT_FOUND = "ServiceAccountNotFound";
    /**
     * Ready=False: spec.provider is a cloud and spec.serviceAccountName is empty, but the operator forbids
     * its own identity (helmoci.identity.allow-operator-identity=false). Name a ServiceAccount of this namespace.
     */
    public static final String OPERATOR_IDENTITY_FORBIDDEN = "OperatorIdentityForbidden";
    /**
     * Ready=False: the API server refused the operator a token for spec.serviceAccountName (TokenRequest).
     * Grant the operator create on serviceaccounts/token (the chart's ClusterRole has it).
     */
    public static final String IDENTITY_TOKEN_DENIED = "IdentityTokenDenied";
    /** Ready=False: the artifact could not be written to or read from the operator's store (disk full, permissions). */
    public static final String STORAGE_FAILED = "StorageFailed";
    /**
     * Reconciling=True (Ready unchanged): the operator's limit of concurrent reconciliations against
     * this registry or in this namespace is reached; retried within seconds. The message names the
     * limit and its setting.
     */
    public static final String WAITING_FOR_CAPACITY = "WaitingForCapacity";
    /**
     * Ready=False: the Flux ExternalArtifact this HelmOciChart asks for (spec.externalArtifact, or the
     * operator setting helmoci.external-artifacts.all) could not be written: no RBAC for
     * externalartifacts, or one of that name that the HelmOciChart does not own. The chart stays served.
     */
    public static final String EXTERNAL_ARTIFACT_FAILED = "ExternalArtifactFailed";
    /** Ready=False: an unexpected error; the message carries its type. Please report it. */
    public static final String INTERNAL_ERROR = "InternalError";

    /** Event reason: a chart version (or new content) was pulled and is now served. */
    public static final String EVENT_NEW_ARTIFACT = "NewArtifact";
    /** Warning event reason: the tag of the resolved version now points to a different manifest. */
    public static final String EVENT_TAG_MOVED = "TagMoved";
    /** Warning event reason: the chart resolved, with a problem that did not stop it (a legacy layer type, an image index); also in the Ready message. */
    public static final String EVENT_RESOLUTION_WARNING = "ResolutionWarning";
    /** Event reason: an artifact was deleted from the store: the resource was deleted, or a superseded archive's retention ended. */
    public static final String EVENT_ARTIFACT_REMOVED = "ArtifactRemoved";

    /** The condition/event reason for an engine failure: the engine's reason name, unchanged. */
    public static String of(Reason reason) {
        return reason.name();
    }

    private ConditionReasons() {}
}
