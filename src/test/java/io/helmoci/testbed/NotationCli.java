package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The real {@code notation} CLI, isolated: its configuration (keys, trust store, trust policy) lives
 * in {@code <home>/config/notation} ({@code XDG_CONFIG_HOME}), never in the user's. Plain-HTTP
 * registries on 127.0.0.1 only ({@code --insecure-registry}).
 */
public final class NotationCli {
    private final Path home;
    private final IsolatedTool tool;

    public NotationCli(Path home) {
        this.home = home;
        this.tool = new IsolatedTool(
                Tools::notation,
                home,
                Map.of(
                        "HOME",
                        home.toString(),
                        "XDG_CONFIG_HOME",
                        home.resolve("config").toString(),
                        "XDG_CACHE_HOME",
                        home.resolve("cache").toString(),
                        "DOCKER_CONFIG",
                        home.resolve("docker").toString()));
    }

    /** notation's configuration directory: {@code localkeys/}, {@code truststore/x509/<type>/<name>/}, {@code trustpolicy.oci.json}. */
    public Path configDir() {
        return home.resolve("config/notation");
    }

    /** The trust store directory as notation lays it out ({@code x509/ca/<name>/...}). */
    public Path trustStoreDir() {
        return configDir().resolve("truststore");
    }

    public ProcessRunner.Result run(List<String> args) {
        return tool.run(home, args, null);
    }

    /**
     * {@code notation cert generate-test <name>}: an RSA key and a self-signed certificate
     * ({@code CN=<name>,O=Notary,L=Seattle,ST=WA,C=US}) in {@code localkeys/}, the certificate added to
     * trust store {@code ca:<name>}; {@code --default} makes it the signing key.
     */
    public void generateTestCertificate(String name, boolean makeDefault) {
        List<String> args = new ArrayList<>(List.of("cert", "generate-test", name));
        if (makeDefault) {
            args.add("--default");
        }
        run(args).orThrow();
    }

    /** The certificate file {@code generate-test} wrote for {@code name}. */
    public Path certificate(String name) {
        return configDir().resolve("localkeys").resolve(name + ".crt");
    }

    /** {@code notation sign} (JWS) of {@code host/repo@digest} with key {@code keyName}. */
    public ProcessRunner.Result sign(RegistryFixture registry, String repository, String digest, String keyName) {
        return run(List.of(
                "sign",
                "--insecure-registry",
                "--signature-format",
                "jws",
                "--key",
                keyName,
                registry.reference(repository) + "@" + digest));
    }

    /**
     * {@code notation sign --timestamp-url --timestamp-root-cert}: the signature with an RFC 3161
     * countersignature from the timestamp authority at {@code timestampUrl}, whose chain ends in {@code tsaRoot}.
     */
    public ProcessRunner.Result signWithTimestamp(
            RegistryFixture registry,
            String repository,
            String digest,
            String keyName,
            String timestampUrl,
            Path tsaRoot) {
        return run(List.of(
                "sign",
                "--insecure-registry",
                "--signature-format",
                "jws",
                "--key",
                keyName,
                "--timestamp-url",
                timestampUrl,
                "--timestamp-root-cert",
                tsaRoot.toString(),
                registry.reference(repository) + "@" + digest));
    }

    /** {@code notation cert add --type <type> --store <store> <file>}: a certificate into the trust store. */
    public void addCertificate(String type, String store, Path certificate) {
        run(List.of("cert", "add", "--type", type, "--store", store, certificate.toString()))
                .orThrow();
    }

    /** Writes and imports a trust policy ({@code notation policy import --force}). */
    public void importPolicy(String json) {
        Path file = home.resolve("trustpolicy-import.json");
        try {
            Files.writeString(file, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(List.of("policy", "import", "--force", file.toString())).orThrow();
    }

    /** The imported trust policy file (notation 1.2+ keeps the OCI one as {@code trustpolicy.oci.json}). */
    public Path trustPolicyFile() {
        Path oci = configDir().resolve("trustpolicy.oci.json");
        return Files.exists(oci) ? oci : configDir().resolve("trustpolicy.json");
    }

    /**
     * A trust policy document with one statement for {@code registryScope} at {@code level}
     * ({@code strict}, {@code permissive}, {@code audit}), trusting trust store {@code ca:<trustStore>}
     * and {@code trustedIdentity} ({@code x509.subject: ...} or {@code *}).
     */
    public static String trustPolicy(String registryScope, String level, String trustStore, String trustedIdentity) {
        return """
                {"version": "1.0", "trustPolicies": [{"name": "charts", "registryScopes": ["%s"],
                  "signatureVerification": {"level": "%s"}, "trustStores": ["ca:%s"], "trustedIdentities": ["%s"]}]}""".formatted(registryScope, level, trustStore, trustedIdentity);
    }

    /** The subject {@code generate-test} gives certificate {@code name}, as a trusted identity. */
    public static String testCertificateIdentity(String name) {
        return "x509.subject: C=US, ST=WA, L=Seattle, O=Notary, CN=" + name;
    }

    /** {@code notation verify} of {@code host/repo@digest}: the reference verdict. */
    public ProcessRunner.Result verify(RegistryFixture registry, String repository, String digest) {
        return run(List.of("verify", "--insecure-registry", registry.reference(repository) + "@" + digest));
    }
}
