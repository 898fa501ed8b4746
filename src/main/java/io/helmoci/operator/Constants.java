package io.helmoci.operator;

import java.time.Duration;

/** Names shared by the API types, the reconciler, the artifact server and the manifests in deploy/. */
public final class Constants {
    public static final String GROUP = "helmoci.io";
    public static final String VERSION = "v1alpha1";
    public static final String KIND = "HelmOciChart";
    public static final String PLURAL = "helmocicharts";
    public static final String SHORT_NAME = "hoc";
    /** The registry webhook resource (see HelmOciReceiver). */
    public static final String RECEIVER_KIND = "HelmOciReceiver";

    public static final String RECEIVER_PLURAL = "helmocireceivers";
    public static final String RECEIVER_SHORT_NAME = "hocr";
    /** The Secret key of a HelmOciReceiver's token (as Flux's Receiver). */
    public static final String RECEIVER_TOKEN_KEY = "token";
    /** Webhook paths start with this, followed by the hex sha256 of token + name + namespace. */
    public static final String WEBHOOK_PATH_PREFIX = "/hook/";

    /** kstatus: the resource is up to date with its spec and its artifact is served. */
    public static final String CONDITION_READY = "Ready";
    /** kstatus: the controller is working towards the spec (new generation or a retry after a transient failure). */
    public static final String CONDITION_RECONCILING = "Reconciling";
    /** kstatus: retrying cannot help until the spec (or a referenced object) changes. */
    public static final String CONDITION_STALLED = "Stalled";
    /** Whether the served chart's signature verified under spec.verify (absent without spec.verify). */
    public static final String CONDITION_SOURCE_VERIFIED = "SourceVerified";

    public static final String FINALIZER = GROUP + "/finalizer";
    /** Set to any new value (for example a timestamp) to reconcile at once; echoed to status.lastHandledReconcileAt. */
    public static final String REQUESTED_AT_ANNOTATION = GROUP + "/requestedAt";
    /** Server-side apply field manager and the controller name. */
    public static final String FIELD_MANAGER = "helm-oci-operator";

    /**
     * The label that assigns a HelmOciChart to a shard (an operator deployment with
     * {@code helmoci.sharding.key} set to the label's value). In our own API group, so it cannot
     * clash with another controller's sharding label (Flux uses sharding.fluxcd.io/key).
     */
    public static final String SHARDING_KEY_LABEL = "sharding." + GROUP + "/key";
    /** reportingComponent / source of the Kubernetes events the operator emits. */
    public static final String EVENT_SOURCE = "helm-oci-operator";

    /** Superseded archives listed (and kept) per resource at most; beyond that the oldest drop out of the retention early. */
    public static final int MAX_SUPERSEDED_ARTIFACTS = 10;
    /** The store is swept every fifth of the retention, but not more often than this ... */
    public static final Duration MIN_SWEEP_PERIOD = Duration.ofSeconds(1);
    /** ... nor less often than this. */
    public static final Duration MAX_SWEEP_PERIOD = Duration.ofMinutes(1);

    private Constants() {}
}
