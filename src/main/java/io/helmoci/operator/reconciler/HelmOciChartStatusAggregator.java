package io.helmoci.operator.reconciler;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.helmoci.operator.ConditionReasons;
import io.helmoci.operator.Constants;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.Artifact;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.api.v1alpha1.HelmOciChartStatus;
import io.helmoci.operator.api.v1alpha1.SupersededArtifact;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.source.ResolvedChart;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Owns the next status (Keycloak's KeycloakStatusAggregator, Flink's StatusRecorder): it starts
 * from the previous one, so the fields of the last success stay unless replaced; the steps say what
 * they found through its methods, which return nothing; the end of a reconciliation
 * ({@link #progressing}, {@link #succeeded}, {@link #failed}, {@link #suspended}) returns a
 * {@link StatusUpdate} that says whether it must be written at all. lastTransitionTime changes only
 * when a condition's status changes.
 *
 * <p>What a steady-state check writes: nothing, when nothing but {@code lastCheckedTime} would
 * change and the stored {@code lastCheckedTime} is younger than {@link #LAST_CHECKED_REFRESH}. So an
 * unchanged resource costs the API server one status write per hour (or per interval, if longer)
 * instead of one per interval: 1000 resources at a 10m interval, about 17 writes a minute instead of
 * 100. The reconcile metric ({@code helmoci_reconcile_duration_seconds_count}) counts every check.
 */
final class HelmOciChartStatusAggregator {
    /** An unchanged status is written again only to refresh a lastCheckedTime older than this. */
    static final Duration LAST_CHECKED_REFRESH = Duration.ofHours(1);

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final int MAX_MESSAGE = 1024;

    /** The status to write and whether writing it would change anything on the API server. */
    record StatusUpdate(HelmOciChartStatus status, boolean changed) {}

    private final HelmOciChartStatus previous;
    private final boolean hadStatus;
    private final HelmOciChartStatus status;
    private final long generation;
    private final Clock clock;

    HelmOciChartStatusAggregator(HelmOciChart resource, Clock clock) {
        HelmOciChartStatus original = resource.getStatus();
        this.hadStatus = original != null;
        this.previous = original == null ? new HelmOciChartStatus() : SERIALIZATION.clone(original);
        if (previous.getConditions() == null) {
            previous.setConditions(new ArrayList<>());
        }
        this.status = SERIALIZATION.clone(previous);
        Long gen = resource.getMetadata().getGeneration();
        this.generation = gen == null ? 0 : gen;
        this.clock = clock;
        var annotations = resource.getMetadata().getAnnotations();
        String requestedAt = annotations == null ? null : annotations.get(Constants.REQUESTED_AT_ANNOTATION);
        if (requestedAt != null) { // echoed, so a client that set it can see it was handled
            status.setLastHandledReconcileAt(requestedAt);
        }
    }

    /** The status before this reconciliation (never null; empty for a new resource). Read it, do not change it. */
    HelmOciChartStatus previous() {
        return previous;
    }

    Optional<Condition> previousCondition(String type) {
        return previous.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    // ---- what the steps found ----

    /** spec.verify is absent: no SourceVerified condition, no verification result (removing spec.verify shows). */
    void verificationNotRequired() {
        status.setVerification(null);
        remove(Constants.CONDITION_SOURCE_VERIFIED);
    }

    /** The resolved manifest's signature verified under the policy with this fingerprint. */
    void verified(io.helmoci.engine.verify.VerificationResult result, String policyFingerprint) {
        io.helmoci.operator.api.v1alpha1.VerificationStatus verification =
                new io.helmoci.operator.api.v1alpha1.VerificationStatus();
        verification.setProvider(result.provider().id());
        verification.setSigner(result.signer() == null ? null : result.signer().describe());
        verification.setManifestDigest(result.subjectDigest());
        verification.setSignatureDigest(result.signatureDigest());
        verification.setPolicy(policyFingerprint);
        verification.setVerifiedAt(now());
        status.setVerification(verification);
        set(
                Constants.CONDITION_SOURCE_VERIFIED,
                "True",
                ConditionReasons.SUCCEEDED,
                "Verified with " + result.provider().id()
                        + (result.signer() == null
                                ? " (the trust policy skips verification)"
                                : ": signed by " + result.signer().describe()));
    }

    /** The registry answered. */
    void checked() {
        status.setLastCheckedTime(now());
    }

    /** The spec resolved to this version and manifest of the chart at {@code url}. */
    void resolvedTo(String url, ResolvedChart resolved) {
        status.setResolvedVersion(resolved.version());
        status.setTag(resolved.tag());
        status.setManifestDigest(resolved.manifestDigest());
        status.setShortDigest(shortDigest(resolved.manifestDigest()));
        status.setResolvedRef(url + "@" + resolved.manifestDigest());
        status.setChart(resolved.chart());
        if (!resolved.availableVersions().isEmpty()) {
            status.setAvailableVersions(resolved.availableVersions());
        } else if (!sameRepository(previous, url)) {
            status.setAvailableVersions(null);
        }
    }

    /** The tag of the same version now names other content than {@code previousManifestDigest}. */
    void tagMovedFrom(String previousManifestDigest) {
        status.setPreviousManifestDigest(previousManifestDigest);
    }

    /** Another version or repository: an earlier moved tag no longer describes what is served. */
    void forgetMovedTag() {
        status.setPreviousManifestDigest(null);
    }

    /** The archive now served; lastUpdateTime moves only when the content does. */
    void published(String url, String contentDigest, long size) {
        Artifact previousArtifact = previous.getArtifact();
        boolean newContent = !contentDigest.equals(previous.getContentDigest());
        Artifact artifact = new Artifact();
        artifact.setUrl(url);
        artifact.setDigest(contentDigest);
        artifact.setSize(size);
        artifact.setLastUpdateTime(
                newContent || previousArtifact == null ? now() : previousArtifact.getLastUpdateTime());
        status.setContentDigest(contentDigest);
        status.setArtifact(artifact);
    }

    /** Keeps the archive this reconciliation replaced (if any) served for the retention; drops expired entries. */
    void retainSuperseded(ArtifactRetention retention) {
        Artifact previousArtifact = previous.getArtifact();
        boolean replaced =
                previousArtifact != null && !status.getContentDigest().equals(previous.getContentDigest());
        SupersededArtifact entry = replaced
                ? new SupersededArtifact(
                        previousArtifact.getUrl(),
                        previousArtifact.getDigest(),
                        previous.getManifestDigest(),
                        previousArtifact.getSize(),
                        null)
                : null;
        status.setSupersededArtifacts(
                retention.supersede(previous.getSupersededArtifacts(), entry, status.getArtifact(), clock.instant()));
    }

    // ---- how the reconciliation ended ----

    /** A new generation is being worked on: Ready=Unknown, Reconciling=True. A snapshot: the work goes on. */
    StatusUpdate progressing() {
        String message = "Reconciling generation " + generation;
        set(Constants.CONDITION_READY, "Unknown", ConditionReasons.PROGRESSING, message);
        set(Constants.CONDITION_RECONCILING, "True", ConditionReasons.PROGRESSING, message);
        remove(Constants.CONDITION_STALLED);
        return new StatusUpdate(SERIALIZATION.clone(status), true);
    }

    /** Failures that are about the signature: they also set SourceVerified=False. */
    private static final java.util.Set<String> VERIFICATION_REASONS = java.util.Set.of(
            io.helmoci.engine.Reason.SignatureNotFound.name(), io.helmoci.engine.Reason.SignatureInvalid.name(),
            io.helmoci.engine.Reason.SignerNotTrusted.name(), io.helmoci.engine.Reason.CertificateInvalid.name(),
            io.helmoci.engine.Reason.ProvenanceMismatch.name(),
                    io.helmoci.engine.Reason.VerificationPolicyInvalid.name());

    StatusUpdate succeeded(String message) {
        status.setObservedGeneration(generation);
        set(Constants.CONDITION_READY, "True", ConditionReasons.SUCCEEDED, message);
        remove(Constants.CONDITION_RECONCILING);
        remove(Constants.CONDITION_STALLED);
        return update();
    }

    /** Ready=False with the failure's reason; the result fields of the last success stay, expired superseded entries go. */
    StatusUpdate failed(ReconcileException failure) {
        status.setObservedGeneration(generation);
        status.setSupersededArtifacts(ArtifactRetention.live(status.getSupersededArtifacts(), clock.instant()));
        String reason = failure.reason();
        String message = failure.getMessage();
        set(Constants.CONDITION_READY, "False", reason, message);
        if (VERIFICATION_REASONS.contains(reason)) {
            set(Constants.CONDITION_SOURCE_VERIFIED, "False", reason, message);
        }
        switch (failure.disposition()) {
            case RETRY -> {
                set(Constants.CONDITION_RECONCILING, "True", ConditionReasons.PROGRESSING_WITH_RETRY, message);
                remove(Constants.CONDITION_STALLED);
            }
            case WAIT -> {
                remove(Constants.CONDITION_RECONCILING);
                remove(Constants.CONDITION_STALLED);
            }
            case STALLED -> {
                remove(Constants.CONDITION_RECONCILING);
                set(Constants.CONDITION_STALLED, "True", reason, message);
            }
        }
        return update();
    }

    /** No registry request is made; an existing Ready condition keeps describing the served artifact. */
    StatusUpdate suspended() {
        status.setObservedGeneration(generation);
        remove(Constants.CONDITION_RECONCILING);
        if (condition(Constants.CONDITION_READY).isEmpty()) {
            set(
                    Constants.CONDITION_READY,
                    "False",
                    ConditionReasons.SUSPENDED,
                    "Reconciliation is suspended: set spec.suspend to false to resume.");
        }
        return update();
    }

    /**
     * Whether to write: always when anything but lastCheckedTime changed; for lastCheckedTime alone only
     * when the stored one is older than {@link #LAST_CHECKED_REFRESH} (else the stored one is kept).
     */
    private StatusUpdate update() {
        if (!hadStatus) {
            return new StatusUpdate(status, true);
        }
        String checked = status.getLastCheckedTime();
        status.setLastCheckedTime(previous.getLastCheckedTime());
        boolean changed = !SERIALIZATION.asJson(status).equals(SERIALIZATION.asJson(previous));
        if (changed || isStale(previous.getLastCheckedTime())) {
            status.setLastCheckedTime(checked);
            return new StatusUpdate(status, !SERIALIZATION.asJson(status).equals(SERIALIZATION.asJson(previous)));
        }
        return new StatusUpdate(status, false);
    }

    private boolean isStale(String lastChecked) {
        if (lastChecked == null) {
            return true;
        }
        try {
            return !Instant.parse(lastChecked).plus(LAST_CHECKED_REFRESH).isAfter(clock.instant());
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    private String now() {
        return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private Optional<Condition> condition(String type) {
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst();
    }

    private void set(String type, String conditionStatus, String reason, String message) {
        String text = message.length() > MAX_MESSAGE ? message.substring(0, MAX_MESSAGE - 1) + "…" : message;
        Optional<Condition> existing = condition(type);
        String transition = existing.filter(c -> conditionStatus.equals(c.getStatus()))
                .map(Condition::getLastTransitionTime)
                .orElseGet(this::now);
        Condition condition = new ConditionBuilder()
                .withType(type)
                .withStatus(conditionStatus)
                .withReason(reason)
                .withMessage(text)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
        List<Condition> conditions = status.getConditions();
        existing.ifPresentOrElse(
                c -> conditions.set(conditions.indexOf(c), condition), () -> conditions.add(condition));
    }

    private void remove(String type) {
        status.getConditions().removeIf(c -> type.equals(c.getType()));
    }

    /** Whether a status came from the same repository (the spec may have moved to another chart). */
    static boolean sameRepository(HelmOciChartStatus status, String url) {
        return status.getResolvedRef() != null && status.getResolvedRef().startsWith(url + "@");
    }

    static String shortDigest(String digest) {
        int colon = digest.indexOf(':');
        String hex = digest.substring(colon + 1);
        return hex.length() > 12 ? hex.substring(0, 12) : hex;
    }
}
