package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The real Sigstore timestamp authority ({@code timestamp-server} from
 * github.com/sigstore/timestamp-authority), run on 127.0.0.1 with its in-memory signer: an RFC 3161
 * TSA whose certificate chain (TSA certificate, intermediate, root) it serves at
 * {@code /api/v1/timestamp/certchain}. {@code cosign sign --timestamp-server-url} asks it for the
 * signed timestamps of keyless signatures.
 *
 * <p>One per JVM ({@link #shared()}): the server always opens its Prometheus metrics port on
 * {@code :2112} (hard-coded in timestamp-authority v2.1.2), so two cannot run on one machine at once.
 */
public final class TimestampAuthority implements AutoCloseable {
    private static TimestampAuthority shared;

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

    private final ManagedProcess process;
    private final int port;
    private final List<X509Certificate> chain;

    private TimestampAuthority(ManagedProcess process, int port, List<X509Certificate> chain) {
        this.process = process;
        this.port = port;
        this.chain = chain;
    }

    /** The timestamp authority of this JVM, started on first use and stopped when the JVM exits. */
    public static synchronized TimestampAuthority shared() {
        if (shared == null) {
            try {
                shared = start(Files.createTempDirectory("helmoci-tsa"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public static TimestampAuthority start(Path dir) {
        int port = ManagedProcess.freePort();
        ProcessBuilder command = new ProcessBuilder(
                        Tools.timestampAuthority().toString(),
                        "serve",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        Integer.toString(port),
                        "--timestamp-signer",
                        "memory",
                        // the whole chain in each token, so a verifier that trusts only the root (notation) can
                        // build it
                        "--include-chain-in-response",
                        "--disable-ntp-monitoring")
                .directory(dir.toFile());
        ManagedProcess process = ManagedProcess.start(
                "the timestamp authority (it also needs port 2112 free for its metrics)",
                command,
                dir.resolve("timestamp-server.log"));
        String certChain = process.awaitHttpOk(
                STARTUP_TIMEOUT, URI.create("http://127.0.0.1:" + port + "/api/v1/timestamp/certchain"));
        return new TimestampAuthority(process, port, parse(certChain));
    }

    /** What {@code cosign sign --timestamp-server-url} takes. */
    public String timestampUrl() {
        return "http://127.0.0.1:" + port + "/api/v1/timestamp";
    }

    /** The TSA's certificate first, its root last, as a Sigstore trusted root lists it. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public Path log() {
        return process.log();
    }

    private static List<X509Certificate> parse(String pem) {
        try {
            List<X509Certificate> certificates = new ArrayList<>();
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var cert : factory.generateCertificates(
                    new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                certificates.add((X509Certificate) cert);
            }
            return List.copyOf(certificates);
        } catch (CertificateException e) {
            throw new IllegalStateException("the timestamp authority served no PEM certificate chain", e);
        }
    }

    @Override
    public void close() {
        process.close();
    }
}
