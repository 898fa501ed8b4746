package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What the operator last found and serves. Fields of the last success stay when a later check fails. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HelmOciChartStatus extends ConditionedStatus {
    @JsonPropertyDescription("The last value of the helmoci.io/requestedAt annotation that was handled.")
    private String lastHandledReconcileAt;

    @JsonPropertyDescription("The chart version the spec resolved to.")
    private String resolvedVersion;

    @JsonPropertyDescription("The registry tag of the resolved version ('+' written as '_').")
    private String tag;

    @JsonPropertyDescription("The digest of the chart's OCI manifest.")
    private String manifestDigest;

    @JsonPropertyDescription("The first 12 hex digits of manifestDigest, for kubectl get.")
    private String shortDigest;

    @JsonPropertyDescription(
            "The previous manifestDigest of the same version, when its tag was moved to different content.")
    private String previousManifestDigest;

    @JsonPropertyDescription("The sha256 digest of the chart archive (.tgz) that is served.")
    private String contentDigest;

    @JsonPropertyDescription(
            "The pinned reference: oci://host/path/chart@sha256:<manifest digest>, for helm pull/install.")
    private String resolvedRef;

    @JsonPropertyDescription("The metadata of the served chart (from its Chart.yaml).")
    private ChartInfo chart;

    @JsonPropertyDescription("The newest versions in the repository, newest first, for discovery.")
    private List<String> availableVersions;

    @JsonPropertyDescription("When the registry was last checked successfully (RFC 3339).")
    private String lastCheckedTime;

    @JsonPropertyDescription("The chart archive as served by the operator.")
    private Artifact artifact;

    @JsonPropertyDescription(
            "Archives served before the current one, still served at their URLs for a short retention, oldest first.")
    private List<SupersededArtifact> supersededArtifacts;

    @JsonPropertyDescription(
            "The last successful signature verification under spec.verify: provider, signer, digests, policy and time.")
    private VerificationStatus verification;

    public VerificationStatus getVerification() {
        return verification;
    }

    public void setVerification(VerificationStatus verification) {
        this.verification = verification;
    }

    @Override
    @JsonPropertyDescription("kstatus conditions: Ready, Reconciling, Stalled.")
    public List<Condition> getConditions() {
        return super.getConditions();
    }

    public String getLastHandledReconcileAt() {
        return lastHandledReconcileAt;
    }

    public void setLastHandledReconcileAt(String lastHandledReconcileAt) {
        this.lastHandledReconcileAt = lastHandledReconcileAt;
    }

    public String getResolvedVersion() {
        return resolvedVersion;
    }

    public void setResolvedVersion(String resolvedVersion) {
        this.resolvedVersion = resolvedVersion;
    }

    public String getTag() {
        return tag;
    }

    public void setTag(String tag) {
        this.tag = tag;
    }

    public String getManifestDigest() {
        return manifestDigest;
    }

    public void setManifestDigest(String manifestDigest) {
        this.manifestDigest = manifestDigest;
    }

    public String getShortDigest() {
        return shortDigest;
    }

    public void setShortDigest(String shortDigest) {
        this.shortDigest = shortDigest;
    }

    public String getPreviousManifestDigest() {
        return previousManifestDigest;
    }

    public void setPreviousManifestDigest(String previousManifestDigest) {
        this.previousManifestDigest = previousManifestDigest;
    }

    public String getContentDigest() {
        return contentDigest;
    }

    public void setContentDigest(String contentDigest) {
        this.contentDigest = contentDigest;
    }

    public String getResolvedRef() {
        return resolvedRef;
    }

    public void setResolvedRef(String resolvedRef) {
        this.resolvedRef = resolvedRef;
    }

    public ChartInfo getChart() {
        return chart;
    }

    public void setChart(ChartInfo chart) {
        this.chart = chart;
    }

    public List<String> getAvailableVersions() {
        return availableVersions;
    }

    public void setAvailableVersions(List<String> availableVersions) {
        this.availableVersions = availableVersions;
    }

    public String getLastCheckedTime() {
        return lastCheckedTime;
    }

    public void setLastCheckedTime(String lastCheckedTime) {
        this.lastCheckedTime = lastCheckedTime;
    }

    public Artifact getArtifact() {
        return artifact;
    }

    public void setArtifact(Artifact artifact) {
        this.artifact = artifact;
    }

    public List<SupersededArtifact> getSupersededArtifacts() {
        return supersededArtifacts;
    }

    public void setSupersededArtifacts(List<SupersededArtifact> supersededArtifacts) {
        this.supersededArtifacts = supersededArtifacts;
    }
}
