package io.helmoci.cli;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.verify.Provider;
import io.helmoci.engine.verify.VerificationPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Signature policy flags, named after the tools users already verify with: {@code cosign verify}
 * ({@code --key}, {@code --certificate-identity-regexp}, {@code --certificate-oidc-issuer-regexp},
 * {@code --trusted-root}), {@code helm pull --verify --keyring}, and notation's trust policy and
 * trust store (by default where {@code notation} keeps them).
 */
final class VerifyFlags {
    @Option(
            // spec.verify.provider of a HelmOciChart; --provider is the cloud provider (spec.provider), as in Flux.
            names = "--verify-provider",
            paramLabel = "PROVIDER",
            description =
                    "The signature verifier: cosign, notation or helm. Default: from the other flags (--key: cosign, --keyring: helm, --trust-policy/--trust-store: notation).")
    String provider;

    @Option(
            names = "--key",
            paramLabel = "FILE",
            description = "cosign: a PEM public key (cosign.pub); repeat for several, any may match.")
    List<Path> keys = new ArrayList<>();

    @Option(
            names = "--certificate-identity-regexp",
            paramLabel = "REGEX",
            description = "cosign keyless: regular expression the signing certificate's identity (SAN) must match.")
    String identityRegexp;

    @Option(
            names = "--certificate-oidc-issuer-regexp",
            paramLabel = "REGEX",
            description = "cosign keyless: regular expression the signing certificate's OIDC issuer must match.")
    String issuerRegexp;

    @Option(
            names = "--trusted-root",
            paramLabel = "FILE",
            description =
                    "cosign keyless: a Sigstore trusted_root.json (default: the public-good instance's, shipped with helm-oci).")
    Path trustedRoot;

    @Option(
            names = "--keyring",
            paramLabel = "FILE",
            description = "helm: OpenPGP public keyring (gpg --export KEYID > pubring.gpg).")
    Path keyring;

    @Option(
            names = "--trust-policy",
            paramLabel = "FILE",
            description =
                    "notation: trust policy JSON (default: the notation config dir's trustpolicy.oci.json or trustpolicy.json).")
    Path trustPolicy;

    @Option(
            names = "--trust-store",
            paramLabel = "DIR",
            description =
                    "notation: trust store directory laid out as notation's, x509/<ca|signingAuthority|tsa>/<name>/<certs> (default: the notation config dir's truststore).")
    Path trustStore;

    boolean anyGiven() {
        return provider != null
                || !keys.isEmpty()
                || identityRegexp != null
                || issuerRegexp != null
                || trustedRoot != null
                || keyring != null
                || trustPolicy != null
                || trustStore != null;
    }

    VerificationPolicy toPolicy() {
        Provider chosen = provider != null
                ? Provider.parse(provider)
                : !keys.isEmpty() || identityRegexp != null || issuerRegexp != null || trustedRoot != null
                        ? Provider.COSIGN
                        : keyring != null
                                ? Provider.HELM
                                : trustPolicy != null || trustStore != null ? Provider.NOTATION : null;
        if (chosen == null) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Verification needs a policy: --key cosign.pub (cosign),"
                            + " --keyring pubring.gpg (helm provenance), or --verify-provider notation with notation's trust policy and trust store.");
        }
        return switch (chosen) {
            case COSIGN ->
                identityRegexp != null || issuerRegexp != null || trustedRoot != null
                        ? VerificationPolicy.cosignKeyless(
                                List.of(new VerificationPolicy.IdentityMatcher(issuerRegexp, identityRegexp)),
                                trustedRoot == null ? null : read(trustedRoot, "--trusted-root"))
                        : VerificationPolicy.cosignKeys(
                                keys.stream().map(k -> read(k, "--key")).toList());
            case HELM -> VerificationPolicy.helm(keyring == null ? null : read(keyring, "--keyring"));
            case NOTATION ->
                VerificationPolicy.notation(
                        read(trustPolicy != null ? trustPolicy : defaultTrustPolicy(), "--trust-policy"),
                        io.helmoci.engine.verify.NotationTrustStore.read(
                                trustStore != null
                                        ? trustStore
                                        : notationConfigDir().resolve("truststore")));
        };
    }

    private static Path defaultTrustPolicy() {
        Path oci = notationConfigDir().resolve("trustpolicy.oci.json");
        return Files.exists(oci) ? oci : notationConfigDir().resolve("trustpolicy.json");
    }

    /** Where notation keeps its configuration: {@code $XDG_CONFIG_HOME/notation}, else {@code ~/.config/notation}. */
    static Path notationConfigDir() {
        String xdg = System.getenv("XDG_CONFIG_HOME");
        return xdg != null && !xdg.isBlank()
                ? Path.of(xdg, "notation")
                : Path.of(System.getProperty("user.home"), ".config", "notation");
    }

    private static byte[] read(Path file, String flag) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Cannot read " + flag + " " + file + " (" + e.getMessage() + "). Give a readable file.");
        }
    }
}
