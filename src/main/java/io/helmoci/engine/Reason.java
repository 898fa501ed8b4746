package io.helmoci.engine;

/**
 * Stable reason codes for every way resolving, pulling or verifying a chart can fail. The names are
 * part of the public contract: they appear in {@code helm-oci -o json} output and become Kubernetes
 * condition reasons, so never rename one. Each carries what it means and what the user should do.
 */
public enum Reason {
    InvalidReference(
            false,
            "The chart reference is not a valid oci:// reference.",
            "Use oci://host[:port]/path/name with a lower-case repository, an optional :tag and an optional @sha256:<64 hex> digest."),
    InvalidVersion(
            false,
            "The requested version is neither a semver version nor a semver range.",
            "Give an exact version such as 1.2.3, a range such as ^1.2 or >=1.0.0 <2.0.0, or no version for the newest release; pin tags such as 'latest' by digest."),
    VersionNotFound(
            false,
            "The exact version asked for has no tag in the repository.",
            "Check the version against the available versions, or push it with 'helm push'."),
    NoMatchingVersion(
            false,
            "No tag in the repository satisfies the semver range.",
            "Widen the range, or include prereleases if the only matches are prereleases."),
    RepositoryNotFound(
            false,
            "The registry does not know the repository.",
            "Check the host and path of the reference; the chart name is the last path segment."),
    Unauthorized(
            true,
            "The registry rejected the credentials, or needs credentials and none were given.",
            "Give a username/password or a Docker config.json with an entry for this registry."),
    Forbidden(
            false,
            "The credentials are valid but have no pull access to the repository.",
            "Grant the account pull access to the repository, or use an account that has it."),
    RateLimited(
            true,
            "The registry throttled the requests (HTTP 429).",
            "Wait and retry; authenticate to get a higher limit, or lengthen the interval."),
    RegistryUnavailable(
            true,
            "The registry could not be reached or answered with a server error.",
            "Check that the registry host is up and reachable from here; the pull is retried."),
    Timeout(
            true,
            "The registry did not answer in time.",
            "Check the network path to the registry, or raise the timeout."),
    TlsError(
            false,
            "The TLS handshake with the registry failed (untrusted or invalid certificate).",
            "Give the registry's CA certificate (--ca-file / certSecretRef), or use plain HTTP only for a registry that serves it."),
    NotAHelmChart(
            false,
            "The artifact is not a Helm chart: its manifest lacks the Helm config or chart layer media types.",
            "Push the chart with 'helm push', or with oras using the Helm media types."),
    UnsupportedManifest(
            false,
            "The manifest has a type or shape that cannot hold a Helm chart.",
            "Push the chart with 'helm push', which writes an OCI image manifest."),
    AmbiguousIndex(
            false,
            "The OCI image index holds more than one Helm chart manifest.",
            "Reference the wanted chart manifest by its digest, or push an index with exactly one chart."),
    DigestMismatch(
            false,
            "Content did not match the digest it was expected to have.",
            "If a digest was pinned, update the pin or fix the tag; otherwise the registry served corrupt content."),
    SizeMismatch(
            false,
            "Content did not have the size its descriptor announced.",
            "The registry served truncated or padded content: re-push the chart."),
    InvalidChart(
            false,
            "The chart archive or its Chart.yaml is not valid.",
            "Run 'helm lint' and 'helm package' on the chart and push it again."),
    ChartTooLarge(
            false,
            "The chart exceeds a configured size limit.",
            "Shrink the chart, or raise the limit if the size is expected."),
    TagListTooLarge(
            false,
            "The repository's tag list is longer than the configured limit (tags or bytes over all pages), or paginates without end.",
            "Delete old tags, give an exact version (it needs no tag list), or raise the tag-list limit if the list is expected."),
    ChartMismatch(
            false,
            "The chart's name or version disagrees with the repository, tag or config blob.",
            "Push the chart so its Chart.yaml name matches the repository and its version matches the tag."),
    SignatureNotFound(
            true,
            "Verification is required but the artifact has no signature of the policy's provider.",
            "Sign the pushed digest (cosign sign, notation sign, or helm package --sign before helm push); signatures pushed after the chart are picked up on retry."),
    SignatureInvalid(
            false,
            "A signature was found but does not verify: it is malformed, altered, or signs another digest.",
            "Sign the chart's current digest again; a chart re-pushed under the same tag needs a new signature."),
    SignerNotTrusted(
            false,
            "No key, certificate or identity the policy trusts made the signature.",
            "Sign with a trusted key, or add the signer's public key, certificate, identity or PGP key to the policy."),
    CertificateInvalid(
            false,
            "The signing certificate chain is broken or not trusted, a certificate in it was not valid (expired or not yet valid) when checked, or a keyless signature has no valid signed timestamp proving when it was made.",
            "Sign again with a certificate that is valid now and whose chain is complete up to a trusted root; cosign keyless: with a timestamp authority of the trusted root (--timestamp-server-url)."),
    ProvenanceMismatch(
            false,
            "The Helm provenance file does not describe this chart: its archive digest or Chart.yaml disagrees.",
            "Package and sign the chart again (helm package --sign) and push the .tgz together with its .prov."),
    VerificationPolicyInvalid(
            false,
            "The verification policy is missing or malformed (keys, certificates, keyring or trust policy).",
            "Give PEM public keys or certificates, an OpenPGP keyring, or a valid notation trust policy and trust store."),
    ProxyAuthenticationFailed(
            false,
            "The HTTP proxy refused the request with 407 Proxy Authentication Required: its user name or password is wrong, or it needs credentials and none were given.",
            "Fix the proxy's username and password (spec.proxySecretRef's Secret, or the user:password@ part of HTTPS_PROXY/HTTP_PROXY); the credentials are never shown."),
    ProxyUnavailable(
            true,
            "The HTTP proxy could not be reached, or refused to open a connection to the registry.",
            "Check the proxy's address and that it is up, and that it allows connections to the registry host and port; list hosts to reach directly in NO_PROXY."),
    ProxyConfigurationInvalid(
            false,
            "The HTTP proxy setting cannot be used: not an http:// URL, no host, or a user name without a password.",
            "Give the proxy as http://host:port (spec.proxySecretRef 'address', HTTPS_PROXY/HTTP_PROXY or --proxy), with credentials in 'username' and 'password' or as user:password@."),
    CloudIdentityNotConfigured(
            false,
            "A cloud provider is set but its workload identity settings are missing: the ServiceAccount's role ARN or client ID annotation, the identity token file or variables, or the registry host is not one of that cloud's registries.",
            "Annotate the ServiceAccount (eks.amazonaws.com/role-arn, azure.workload.identity/client-id), set the provider's environment variables, or point the chart at the cloud's registry."),
    CloudIdentityRejected(
            false,
            "The cloud rejected the workload identity token itself: expired, not yet valid, or issued for another audience or by an issuer it does not trust.",
            "Check the token audience setting and the cloud's identity provider for the cluster (issuer URL, audience), and the clocks."),
    CloudAccessDenied(
            false,
            "The cloud accepted the identity but refused registry credentials: no trust, federated credential or binding for this ServiceAccount, or no pull permission.",
            "Grant this identity access: the role's trust policy and ecr:GetAuthorizationToken (AWS), a federated credential and AcrPull (Azure), a workload identity binding and Artifact Registry Reader (Google)."),
    CloudIdentityUnavailable(
            true,
            "The cloud's token or credential exchange endpoint could not be reached or answered unexpectedly.",
            "Check the network path to the cloud's STS, Entra ID, metadata or registry exchange endpoint; retried with backoff.");

    private final boolean retryable;
    private final String meaning;
    private final String remedy;

    Reason(boolean retryable, String meaning, String remedy) {
        this.retryable = retryable;
        this.meaning = meaning;
        this.remedy = remedy;
    }

    /** Whether retrying without changing the request can help (network, throttling, expired credentials). */
    public boolean retryable() {
        return retryable;
    }

    public String meaning() {
        return meaning;
    }

    /** What the user should do about it, in one sentence. */
    public String remedy() {
        return remedy;
    }
}
