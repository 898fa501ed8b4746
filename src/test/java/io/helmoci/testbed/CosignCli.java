package io.helmoci.testbed;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code cosign} CLI, isolated: HOME, DOCKER_CONFIG and the Sigstore TUF cache point into
 * {@code home}, and it is never asked to reach Sigstore's public services: signatures are made with a
 * local key and without transparency-log upload, and verified with {@code --insecure-ignore-tlog}.
 * Only plain-HTTP registries on 127.0.0.1 are used ({@code --allow-http-registry}).
 */
public final class CosignCli {
    /** The key pair's (empty) password, as cosign reads it. */
    private static final String PASSWORD = "";

    private final Path home;
    private final IsolatedTool tool;

    /** A key pair written by {@code cosign generate-key-pair}. */
    public record KeyPair(Path privateKey, Path publicKey) {}

    public CosignCli(Path home) {
        this.home = home;
        this.tool = new IsolatedTool(
                Tools::cosign,
                home,
                Map.of(
                        "HOME",
                        home.toString(),
                        "DOCKER_CONFIG",
                        home.resolve("docker").toString(),
                        "COSIGN_PASSWORD",
                        PASSWORD,
                        "SIGSTORE_NO_CACHE",
                        "true",
                        "TUF_ROOT",
                        home.resolve("tuf").toString(),
                        "COSIGN_YES",
                        "true"));
    }

    public ProcessRunner.Result run(Path workDir, List<String> args) {
        return tool.run(workDir, args, null);
    }

    /** {@code cosign generate-key-pair} (ECDSA P-256) into {@code dir}. */
    public KeyPair generateKeyPair(Path dir) {
        IsolatedTool.createDirectories(dir);
        run(dir, List.of("generate-key-pair")).orThrow();
        return new KeyPair(dir.resolve("cosign.key"), dir.resolve("cosign.pub"));
    }

    /**
     * {@code cosign sign --key} of {@code host/repo@digest}, offline: no transparency log, no signing
     * config from TUF. {@code bundle} true writes a Sigstore bundle referrer (cosign v3's default),
     * false the legacy {@code sha256-<hex>.sig} tag.
     */
    public ProcessRunner.Result sign(
            RegistryFixture registry, String repository, String digest, KeyPair key, boolean bundle) {
        List<String> args = new ArrayList<>(List.of(
                "sign",
                "--key",
                key.privateKey().toString(),
                "--tlog-upload=false",
                "--use-signing-config=false",
                "--new-bundle-format=" + bundle,
                "--allow-http-registry"));
        args.add(registry.reference(repository) + "@" + digest);
        return run(home, args);
    }

    /**
     * Keyless signing without Fulcio: {@code cosign sign --key K --certificate C --certificate-chain CH}
     * with the certificate the {@link FulcioStandIn} issued for K, no transparency log, and a signed
     * timestamp from {@code timestampUrl} (null: none). Sigstore bundle referrer ({@code bundle}) or
     * legacy {@code .sig} tag.
     */
    public ProcessRunner.Result signKeyless(
            RegistryFixture registry,
            String repository,
            String digest,
            KeyPair key,
            FulcioStandIn.Issued certificate,
            String timestampUrl,
            boolean bundle) {
        List<String> args = new ArrayList<>(List.of(
                "sign",
                "--key",
                key.privateKey().toString(),
                "--certificate",
                certificate.certificateFile().toString(),
                "--certificate-chain",
                certificate.chainFile().toString(),
                "--tlog-upload=false",
                "--use-signing-config=false",
                "--new-bundle-format=" + bundle,
                "--allow-http-registry"));
        if (timestampUrl != null) {
            args.add("--timestamp-server-url=" + timestampUrl);
        }
        args.add(registry.reference(repository) + "@" + digest);
        return run(home, args);
    }

    /**
     * Keyless signing as users do it: {@code cosign sign --fulcio-url --identity-token} (cosign makes
     * an ephemeral key and gets its certificate from Fulcio for the OIDC token), no transparency log,
     * a signed timestamp from {@code timestampUrl}. {@code --insecure-skip-verify}: the test Fulcio
     * has no CT log, so its certificates carry no SCT to check.
     */
    public ProcessRunner.Result signWithFulcio(
            RegistryFixture registry,
            String repository,
            String digest,
            String fulcioUrl,
            String identityToken,
            String timestampUrl) {
        return run(
                home,
                List.of(
                        "sign",
                        "--fulcio-url",
                        fulcioUrl,
                        "--identity-token",
                        identityToken,
                        "--insecure-skip-verify",
                        "--tlog-upload=false",
                        "--use-signing-config=false",
                        "--new-bundle-format=true",
                        "--timestamp-server-url=" + timestampUrl,
                        "--allow-http-registry",
                        registry.reference(repository) + "@" + digest));
    }

    /**
     * The keyless reference verdict: {@code cosign verify --trusted-root --certificate-identity-regexp
     * --certificate-oidc-issuer-regexp --use-signed-timestamps}, without a transparency log or SCTs
     * (the test bed runs neither) and allowing the certificate chain that {@code cosign sign
     * --certificate-chain} puts into the bundle.
     */
    public ProcessRunner.Result verifyKeyless(
            RegistryFixture registry,
            String repository,
            String digest,
            Path trustedRoot,
            String identityRegexp,
            String issuerRegexp) {
        return run(
                home,
                List.of(
                        "verify",
                        "--trusted-root",
                        trustedRoot.toString(),
                        "--certificate-identity-regexp",
                        identityRegexp,
                        "--certificate-oidc-issuer-regexp",
                        issuerRegexp,
                        "--use-signed-timestamps",
                        "--insecure-ignore-tlog",
                        "--insecure-ignore-sct",
                        "--allow-certificate-chain",
                        "--allow-http-registry",
                        registry.reference(repository) + "@" + digest));
    }

    /** {@code cosign verify --key --insecure-ignore-tlog} of {@code host/repo@digest}: the reference verdict. */
    public ProcessRunner.Result verify(RegistryFixture registry, String repository, String digest, Path publicKey) {
        return run(
                home,
                List.of(
                        "verify",
                        "--key",
                        publicKey.toString(),
                        "--insecure-ignore-tlog",
                        "--allow-http-registry",
                        registry.reference(repository) + "@" + digest));
    }
}
