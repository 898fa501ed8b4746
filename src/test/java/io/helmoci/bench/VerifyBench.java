package io.helmoci.bench;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.TransportOptions;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import io.helmoci.testbed.ChartFactory;
import io.helmoci.testbed.ChartSpec;
import io.helmoci.testbed.CosignCli;
import io.helmoci.testbed.FulcioStandIn;
import io.helmoci.testbed.Gpg;
import io.helmoci.testbed.HelmCli;
import io.helmoci.testbed.NotationCli;
import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryImplementation;
import io.helmoci.testbed.TimestampAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cost of verifying one new digest, per provider (cosign key, cosign keyless, notation, helm
 * provenance): charts signed by the real tools on a distribution v3 registry (no referrers API, so
 * discovery takes the referrers tag schema), each new version resolved with {@code inspect} and then
 * verified with {@link ChartPuller#verify}; the time and the registry requests of the verification
 * alone are recorded. The signing is not measured.
 */
final class VerifyBench {
    static final String SECTION = "verify";

    private final BenchOptions options;
    private final BenchReport report;
    private final Path work;

    /** One provider's figures: per verification of a new digest. */
    record VerificationCost(
            String provider,
            String format,
            String registry,
            int verifications,
            double medianMs,
            double p90Ms,
            double firstMs,
            double registryRequestsPerVerification,
            List<String> requests,
            ProcFs.Load load) {}

    VerifyBench(BenchOptions options, BenchReport report, Path work) {
        this.options = options;
        this.report = report;
        this.work = work;
    }

    void run() throws Exception {
        int versions = options.quick() ? 5 : 20;
        try (RegistryFixture registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                        .start();
                ChartPuller puller = new ChartPuller(work.resolve("store"));
                Gpg gpg = new Gpg(work.resolve("gnupg"))) {
            HelmCli helm = new HelmCli(work.resolve("helm"));
            ChartFactory charts = new ChartFactory(helm, work.resolve("charts"));
            CosignCli cosign = new CosignCli(work.resolve("cosign"));
            CosignCli.KeyPair key = cosign.generateKeyPair(work.resolve("cosign-key"));
            FulcioStandIn fulcio = new FulcioStandIn("bench fulcio stand-in");
            TimestampAuthority tsa = TimestampAuthority.shared();
            byte[] trustedRoot = FulcioStandIn.trustedRoot(List.of(fulcio), tsa.chain());
            NotationCli notation = new NotationCli(work.resolve("notation"));
            notation.generateTestCertificate("bench", true);
            Gpg.Key pgp = gpg.generateKey("Bench Publisher", "bench@example.test");
            Path secring = gpg.exportSecretKeyring(pgp, work.resolve("secring.gpg"));
            Path pubring = gpg.exportPublicKeyring(pgp, work.resolve("pubring.gpg"));

            List<VerificationCost> rows = new ArrayList<>();
            rows.add(measure(
                    registry,
                    puller,
                    "cosign-key",
                    versions,
                    version -> {
                        String digest = push(helm, charts, registry, "cosign-key", version);
                        cosign.sign(registry, "verify/cosign-key", digest, key, true)
                                .orThrow();
                    },
                    VerificationPolicy.cosignKeys(List.of(read(key.publicKey())))));
            rows.add(measure(
                    registry,
                    puller,
                    "cosign-keyless",
                    versions,
                    version -> {
                        String digest = push(helm, charts, registry, "cosign-keyless", version);
                        FulcioStandIn.Issued certificate = fulcio.issue(
                                key.publicKey(),
                                "https://kubernetes.io/namespaces/bench/serviceaccounts/publisher",
                                "https://oidc.helmoci.test",
                                Duration.ofMinutes(10),
                                work.resolve("cert-" + version));
                        cosign.signKeyless(
                                        registry,
                                        "verify/cosign-keyless",
                                        digest,
                                        key,
                                        certificate,
                                        tsa.timestampUrl(),
                                        true)
                                .orThrow();
                    },
                    VerificationPolicy.cosignKeyless(
                            List.of(new VerificationPolicy.IdentityMatcher(
                                    "^https://oidc\\.helmoci\\.test$", "serviceaccounts/publisher$")),
                            trustedRoot)));
            rows.add(measure(
                    registry,
                    puller,
                    "notation",
                    versions,
                    version -> {
                        String digest = push(helm, charts, registry, "notation", version);
                        notation.sign(registry, "verify/notation", digest, "bench")
                                .orThrow();
                    },
                    VerificationPolicy.notation(
                            NotationCli.trustPolicy(
                                            registry.reference("verify/notation"),
                                            "strict",
                                            "bench",
                                            NotationCli.testCertificateIdentity("bench"))
                                    .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                            Map.of("ca:bench", List.of(read(notation.certificate("bench")))))));
            rows.add(measure(
                    registry,
                    puller,
                    "helm",
                    versions,
                    version -> {
                        Path chart = charts.createSigned(ChartSpec.of("helm", version), pgp, secring);
                        helm.push(registry, chart, "verify");
                    },
                    VerificationPolicy.helm(read(pubring))));
            report.put(SECTION, "perNewDigest", rows);
        }
    }

    private interface Signing {
        void sign(String version) throws Exception;
    }

    private VerificationCost measure(
            RegistryFixture registry,
            ChartPuller puller,
            String provider,
            int versions,
            Signing signing,
            VerificationPolicy policy)
            throws Exception {
        List<Double> millis = new ArrayList<>();
        Map<String, Integer> requests = new LinkedHashMap<>();
        int requestCount = 0;
        String format = null;
        double before = ProcFs.loadAverage();
        for (int i = 0; i < versions; i++) {
            String version = "1.0." + i;
            signing.sign(version);
            PullRequest request = request(registry, "verify/" + provider + ":" + version);
            Resolution resolution = puller.inspect(request);
            registry.resetRequests();
            long start = System.nanoTime();
            VerificationResult result = puller.verify(request, resolution, policy);
            millis.add((System.nanoTime() - start) / 1e6);
            format = result.format();
            List<RegistryFixture.RegistryRequest> served = registry.requests();
            requestCount += served.size();
            for (RegistryFixture.RegistryRequest r : served) {
                requests.merge(r.withDigestsMasked(), 1, Integer::sum);
            }
        }
        List<String> perVerification = new ArrayList<>();
        int total = versions;
        requests.forEach((what, count) -> perVerification.add(what + " x" + Stats.round((double) count / total, 2)));
        return new VerificationCost(
                provider,
                format,
                RegistryImplementation.DISTRIBUTION_V3.name(),
                versions,
                Stats.round(Stats.median(millis), 1),
                Stats.round(Stats.percentile(millis, 90), 1),
                Stats.round(millis.get(0), 1),
                Stats.round((double) requestCount / versions, 2),
                perVerification,
                new ProcFs.Load(before, ProcFs.loadAverage()));
    }

    private static String push(
            HelmCli helm, ChartFactory charts, RegistryFixture registry, String name, String version) {
        return helm.push(registry, charts.create(ChartSpec.of(name, version)), "verify")
                .digest();
    }

    private static PullRequest request(RegistryFixture registry, String repoPathAndTag) {
        TransportOptions transport = TransportOptions.builder()
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(3))
                .plainHttp(true)
                .build();
        return PullRequest.of(
                OciReference.parse(registry.ociUrl(repoPathAndTag)),
                new RegistryOptions(Credentials.anonymous(), transport));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
