package io.helmoci.testbed;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Sigstore Fulcio ({@code fulcio serve} from github.com/sigstore/fulcio), on 127.0.0.1 with
 * an ephemeral in-memory CA, no certificate-transparency log, and one OIDC issuer: the test
 * kube-apiserver's ServiceAccount issuer ({@link KubernetesOidcIssuer}, type {@code kubernetes}, client
 * id {@code sigstore}). {@code cosign sign --fulcio-url --identity-token <ServiceAccount token>} gets
 * its signing certificate from it, naming {@code https://kubernetes.io/namespaces/<ns>/serviceaccounts/<name>}.
 */
public final class FulcioServer implements AutoCloseable {
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);

    private final ManagedProcess process;
    private final int port;
    private final List<X509Certificate> chain;

    private FulcioServer(ManagedProcess process, int port, List<X509Certificate> chain) {
        this.process = process;
        this.port = port;
        this.chain = chain;
    }

    public static FulcioServer start(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("fulcio-config.json"), """
                {"OIDCIssuers": {"%s": {"IssuerURL": "%s", "ClientID": "sigstore", "Type": "kubernetes"}}}
                """.formatted(
                        KubernetesOidcIssuer.ISSUER, KubernetesOidcIssuer.ISSUER));
        int port = ManagedProcess.freePort();
        ProcessBuilder builder = new ProcessBuilder(
                        Tools.fulcio().toString(),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--grpc-host",
                        "127.0.0.1",
                        "--grpc-port",
                        Integer.toString(ManagedProcess.freePort()),
                        "--metrics-port",
                        Integer.toString(ManagedProcess.freePort()),
                        "--legacy-unix-domain-socket",
                        dir.resolve("fulcio-legacy.sock").toString(),
                        "--ca",
                        "ephemeralca",
                        "--ct-log-url",
                        "",
                        "--config-path",
                        config.toString())
                .directory(dir.toFile());
        builder.environment().put("SSL_CERT_FILE", KubernetesOidcIssuer.caFile().toString());
        ManagedProcess process = ManagedProcess.start("Fulcio", builder, dir.resolve("fulcio.log"));
        String rootCert =
                process.awaitHttpOk(STARTUP_TIMEOUT, URI.create("http://127.0.0.1:" + port + "/api/v1/rootCert"));
        return new FulcioServer(process, port, parse(rootCert));
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    /** Fulcio's CA chain as it serves it (its certificate first, the root last), for a trusted root. */
    public List<X509Certificate> chain() {
        return chain;
    }

    private static List<X509Certificate> parse(String pem) throws Exception {
        List<X509Certificate> certificates = new ArrayList<>();
        for (var c : CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
            certificates.add((X509Certificate) c);
        }
        return certificates;
    }

    @Override
    public void close() {
        process.close();
    }
}
