package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to pull: the reference, which version, and how to reach the registry. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "!has(self.digest) || !has(self.version) || self.version == '' || self.version.matches('"
                + HelmOciChartSpec.EXACT_VERSION + "')",
        message =
                "a version range cannot be combined with a digest pin: set spec.version to the exact version the digest belongs to, or leave it empty",
        fieldPath = ".version",
        reason = "FieldValueInvalid")
public class HelmOciChartSpec {
    /** Go duration syntax, as Flux and kubectl accept it. */
    public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";
    /** oci://host[:port]/path/name, the path in OCI distribution repository syntax, no tag, no digest. */
    public static final String OCI_URL =
            "^oci://[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)+$";
    /** One exact SemVer version (optionally with a leading '=' or 'v'), i.e. not a range. */
    static final String EXACT_VERSION = "^=?v?[0-9]+[.][0-9]+[.][0-9]+(-[0-9A-Za-z.-]+)?([+][0-9A-Za-z.-]+)?$";

    @Required
    @Size(min = 1, max = 1024)
    @Pattern(OCI_URL)
    @ValidationRule(
            value = "self.startsWith('oci://')",
            message = "must start with oci://, for example oci://ghcr.io/org/charts/podinfo",
            reason = "FieldValueInvalid")
    @ValidationRule(
            value = "self.matches('^oci://[^/]+/[^/].*$')",
            message = "must name a registry host and a repository path: oci://host[:port]/path/chart",
            reason = "FieldValueInvalid")
    @ValidationRule(
            value = "!self.contains('@')",
            message = "must not carry a digest: put it in spec.digest",
            reason = "FieldValueInvalid")
    @ValidationRule(
            value = "!self.matches('^oci://[^/]+/.*:')",
            message = "must not carry a tag: put the version in spec.version",
            reason = "FieldValueInvalid")
    @JsonPropertyDescription(
            "The chart's OCI reference without tag: oci://host[:port]/path/chart. The chart name is the last path segment.")
    private String url;

    @Size(max = 128)
    @JsonPropertyDescription(
            "An exact version (1.2.3) or a Helm semver range (^1.2, >=1.0.0 <2.0.0, 1.x). Empty means the newest stable version. '+' in versions is looked up as '_' in tags, as Helm does.")
    private String version;

    @Pattern("^sha256:[a-f0-9]{64}$")
    @JsonPropertyDescription(
            "Pin the chart's manifest digest (sha256:<64 hex>). With an exact version, the tag must resolve to this digest or the resource is not Ready (DigestMismatch); without a version, the manifest is pulled by digest.")
    private String digest;

    @Default("10m")
    @Pattern(DURATION)
    @ValidationRule(
            value = "self.contains('µ') || duration(self) >= duration('1s')",
            message = "must be at least 1s (the operator may raise it further: helmoci.reconcile.min-interval)",
            reason = "FieldValueInvalid")
    @JsonPropertyDescription(
            "How often to check the registry for a new version or moved tag (Go duration, default 10m). Resources of one repository are checked together, in rounds (see the README).")
    private String interval = "10m";

    @Default("60s")
    @Pattern(DURATION)
    @ValidationRule(
            value = "self.contains('µ') || duration(self) >= duration('1s')",
            message = "must be at least 1s (the operator caps it too: helmoci.reconcile.max-timeout)",
            reason = "FieldValueInvalid")
    @JsonPropertyDescription("Timeout for the registry operations of one reconciliation (Go duration, default 60s).")
    private String timeout = "60s";

    @Default("false")
    @JsonPropertyDescription("Stop checking the registry; the last artifact keeps being served.")
    private Boolean suspend = false;

    @JsonPropertyDescription(
            "A Secret in this namespace with registry credentials: type kubernetes.io/dockerconfigjson, kubernetes.io/dockercfg or kubernetes.io/basic-auth.")
    private LocalReference secretRef;

    @Size(max = 253)
    @JsonPropertyDescription(
            "A ServiceAccount in this namespace. With provider generic, its imagePullSecrets are used as registry credentials, as the kubelet would; with a cloud provider, the operator requests a short-lived token for it and uses its cloud identity (without it, the operator's own identity, if the operator allows that).")
    private String serviceAccountName;

    @Default("generic")
    @Pattern("^(generic|aws|azure|gcp)$")
    @JsonPropertyDescription(
            "Where registry credentials come from: generic (default) for secretRef and the ServiceAccount's imagePullSecrets; aws, azure or gcp for the cloud's workload identity of spec.serviceAccountName, exchanged for ECR, ACR or Artifact Registry credentials.")
    private String provider = "generic";

    @JsonPropertyDescription(
            "A Secret in this namespace with ca.crt (the registry's CA) and optionally tls.crt and tls.key (a client certificate).")
    private LocalReference certSecretRef;

    @JsonPropertyDescription(
            "A Secret in this namespace with the HTTP proxy for this resource's registry and token requests, and the cloud's token and exchange endpoints of spec.provider (Flux's shape): 'address' (http://host:port), optionally 'username' and 'password'. It replaces the operator's HTTPS_PROXY/HTTP_PROXY/NO_PROXY for this resource.")
    private LocalReference proxySecretRef;

    @Default("false")
    @JsonPropertyDescription("Talk plain HTTP to this registry. Only for registries that do not serve TLS.")
    private Boolean insecure = false;

    @JsonPropertyDescription(
            "Verify who signed the chart before it is served: an unverified chart is never stored as served, and the last verified one stays served.")
    private Verification verify;

    @JsonPropertyDescription(
            "Publish the served chart as a Flux ExternalArtifact of the same name, for a HelmRelease's chartRef (kind: ExternalArtifact), when Flux's ExternalArtifact CRD is installed. Unset: the operator setting helmoci.external-artifacts.all (default false).")
    private Boolean externalArtifact;

    public Boolean getExternalArtifact() {
        return externalArtifact;
    }

    public void setExternalArtifact(Boolean externalArtifact) {
        this.externalArtifact = externalArtifact;
    }

    public Verification getVerify() {
        return verify;
    }

    public void setVerify(Verification verify) {
        this.verify = verify;
    }

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public String getInterval() {
        return interval;
    }

    public void setInterval(String interval) {
        this.interval = interval;
    }

    public String getTimeout() {
        return timeout;
    }

    public void setTimeout(String timeout) {
        this.timeout = timeout;
    }

    public Boolean getSuspend() {
        return suspend;
    }

    public void setSuspend(Boolean suspend) {
        this.suspend = suspend;
    }

    public LocalReference getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalReference secretRef) {
        this.secretRef = secretRef;
    }

    public String getProvider() {
        return provider;
    }

    public void setProvider(String provider) {
        this.provider = provider;
    }

    public String getServiceAccountName() {
        return serviceAccountName;
    }

    public void setServiceAccountName(String serviceAccountName) {
        this.serviceAccountName = serviceAccountName;
    }

    public LocalReference getCertSecretRef() {
        return certSecretRef;
    }

    public void setCertSecretRef(LocalReference certSecretRef) {
        this.certSecretRef = certSecretRef;
    }

    public LocalReference getProxySecretRef() {
        return proxySecretRef;
    }

    public void setProxySecretRef(LocalReference proxySecretRef) {
        this.proxySecretRef = proxySecretRef;
    }

    public Boolean getInsecure() {
        return insecure;
    }

    public void setInsecure(Boolean insecure) {
        this.insecure = insecure;
    }
}
