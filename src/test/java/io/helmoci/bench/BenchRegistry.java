package io.helmoci.bench;

import io.helmoci.engine.PullRequest;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.OrasCli;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One registry of the benchmark matrix with the clients pointed at it: the engine's options, and
 * helm and oras logged in when the registry wants credentials. Token mode is a private registry
 * (no anonymous pull) over TLS, as a user's Harbor or GHCR package would be.
 */
final class BenchRegistry implements AutoCloseable {
    static final String USER = "bench";
    static final String PASSWORD = "bench-Secret-1";

    /** How clients reach the registry. */
    enum Mode {
        ANONYMOUS_HTTP("anonymous, HTTP"),
        TOKEN_TLS("token auth, TLS"),
        /** Anonymous pull tokens over TLS, as for a public GHCR package (what Flux's published benchmark pulled). */
        PUBLIC_TOKEN_TLS("anonymous token auth, TLS");

        final String label;

        Mode(String label) {
            this.label = label;
        }
    }

    /** A cell of the matrix. */
    record Target(RegistryImplementation implementation, Mode mode) {
        String label() {
            return (implementation == RegistryImplementation.DISTRIBUTION_V3
                            ? "distribution v3"
                            : "distribution 2.8 (Debian)")
                    + ", " + mode.label;
        }

        static List<Target> all() {
            List<Target> all = new ArrayList<>();
            for (RegistryImplementation implementation :
                    List.of(RegistryImplementation.DISTRIBUTION_V3, RegistryImplementation.DEBIAN_DISTRIBUTION_2_8)) {
                for (Mode mode : List.of(Mode.ANONYMOUS_HTTP, Mode.TOKEN_TLS)) {
                    all.add(new Target(implementation, mode));
                }
            }
            return all;
        }
    }

    final Target target;
    final RegistryFixture fixture;
    final HelmCli helm;
    final OrasCli oras;

    private BenchRegistry(Target target, RegistryFixture fixture, HelmCli helm, OrasCli oras) {
        this.target = target;
        this.fixture = fixture;
        this.helm = helm;
        this.oras = oras;
    }

    static BenchRegistry start(Target target, Path work) {
        return start(target, work, "127.0.0.1");
    }

    /** A registry listening on {@code bindAddress}, an address of this machine (see {@code RegistryFixture.Builder#bindAddress}). */
    static BenchRegistry start(Target target, Path work, String bindAddress) {
        RegistryFixture.Builder builder =
                RegistryFixture.builder(target.implementation()).bindAddress(bindAddress);
        if (target.mode() != Mode.ANONYMOUS_HTTP) {
            boolean publicPull = target.mode() == Mode.PUBLIC_TOKEN_TLS;
            builder.tokenAuth(tokens -> tokens.anonymousPull(publicPull)).user(USER, PASSWORD);
        }
        RegistryFixture fixture = builder.start();
        HelmCli helm = new HelmCli(work.resolve("helm"));
        OrasCli oras = new OrasCli(work.resolve("oras"));
        if (target.mode() != Mode.ANONYMOUS_HTTP) { // pushing always needs credentials
            helm.login(fixture, USER, PASSWORD);
            oras.login(fixture, USER, PASSWORD);
        }
        return new BenchRegistry(target, fixture, helm, oras);
    }

    boolean needsCredentials() {
        return target.mode() == Mode.TOKEN_TLS;
    }

    Credentials credentials() {
        return needsCredentials() ? Credentials.basic(USER, PASSWORD) : Credentials.anonymous();
    }

    /** Plain HTTP, or the test CA and nothing else; timeouts roomy enough for a 200 MiB layer on a busy machine. */
    RegistryOptions engineOptions() {
        TransportOptions transport = TransportOptions.builder()
                .timeouts(Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofMinutes(5))
                .build();
        try {
            transport = fixture.isTls()
                    ? transport.toBuilder()
                            .caCertificates(Files.readString(fixture.caFile()))
                            .build()
                    : transport.toBuilder().plainHttp(true).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RegistryOptions(credentials(), transport);
    }

    /** An engine request for {@code repoPath} (no tag) at {@code version} (exact, range or null). */
    PullRequest request(String repoPath, String version) {
        return new PullRequest(OciReference.parse(fixture.ociUrl(repoPath)), version, null, false, engineOptions());
    }

    /** Pushes a packaged chart with oras and Helm's media types to {@code repoPath:version}. */
    void push(String repoPath, String version, Path chartTgz) {
        oras.pushHelmChart(fixture, repoPath + ":" + version.replace('+', '_'), chartTgz)
                .orThrow();
    }

    /** The token requests so far (0 without token auth). */
    int tokenRequests() {
        return fixture.authMode() == RegistryFixture.AuthMode.TOKEN
                ? fixture.tokenServer().requestCount()
                : 0;
    }

    /** Starts counting afresh, at the registry and at the token server. */
    void resetCounts() {
        fixture.resetRequests();
        if (fixture.authMode() == RegistryFixture.AuthMode.TOKEN) {
            fixture.tokenServer().resetRequests();
        }
    }

    RequestCounts counts(String layerDigest) {
        return RequestCounts.of(fixture.requests(), tokenRequests(), layerDigest);
    }

    /** Flags for the helm-oci command: how to connect, and credentials on stdin (see {@link #cliStdin()}). */
    List<String> cliFlags() {
        List<String> flags = new ArrayList<>();
        flags.addAll(fixture.isTls() ? List.of("--ca-file", fixture.caFile().toString()) : List.of("--plain-http"));
        if (needsCredentials()) {
            flags.addAll(List.of("--username", USER, "--password-stdin"));
        }
        return flags;
    }

    byte[] cliStdin() {
        return needsCredentials() ? PASSWORD.getBytes(StandardCharsets.UTF_8) : null;
    }

    /** Stops the registry and deletes its storage: unlike a test's, it holds hundreds of MiB of charts. */
    @Override
    public void close() {
        fixture.close();
        EngineBench.deleteTree(fixture.storageDir());
    }
}
