package io.helmoci.engine.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach registries: timeouts, TLS trust and client certificate, plain HTTP, proxy, retries
 * and redirects. Equal options share one HTTP client and its connection pool.
 *
 * @param connectTimeout        TCP + TLS connect, per attempt
 * @param requestTimeout        longest silence while reading or writing, per attempt
 * @param operationTimeout      deadline for a whole inspect or pull, retries and downloads included
 * @param caCertificatesPem     PEM bundle of CA certificates that replaces the JVM trust store; null = JVM defaults
 * @param clientCertificatePem  PEM client certificate chain for mutual TLS; null = none
 * @param clientKeyPem          PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) for the client certificate
 * @param plainHttp             talk plain HTTP; only when explicitly asked
 * @param insecureSkipTlsVerify accept any server certificate and host name; only when explicitly asked
 * @param proxy                 {@code http://[user:password@]host:port} of an HTTP proxy; null = the JVM's proxy selector
 * @param retry                 retry policy
 * @param maxRedirects          how many redirects one request may follow
 * @param tagPageSize           tags asked for per tag-list page ({@code n=}); 0 lets the registry choose (all at once, as Helm)
 */
public record TransportOptions(Duration connectTimeout, Duration requestTimeout, Duration operationTimeout,
                               String caCertificatesPem, String clientCertificatePem, String clientKeyPem,
                               boolean plainHttp, boolean insecureSkipTlsVerify, String proxy,
                               RetryPolicy retry, int maxRedirects, int tagPageSize) {

    public TransportOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(operationTimeout, "operationTimeout");
        Objects.requireNonNull(retry, "retry");
        if ((clientCertificatePem == null) != (clientKeyPem == null)) {
            throw new IllegalArgumentException("a client certificate needs its private key and the other way round");
        }
        if (tagPageSize < 0) {
            throw new IllegalArgumentException("tagPageSize must be >= 0");
        }
        if (maxRedirects < 0) {
            throw new IllegalArgumentException("maxRedirects must be >= 0");
        }
    }

    public static TransportOptions defaults() {
        return new TransportOptions(Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofMinutes(5),
                null, null, null, false, false, null, RetryPolicy.defaults(), 10, 0);
    }

    public TransportOptions withTimeouts(Duration connect, Duration request, Duration operation) {
        return new TransportOptions(connect, request, operation, caCertificatesPem, clientCertificatePem, clientKeyPem,
                plainHttp, insecureSkipTlsVerify, proxy, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withCaCertificates(String pem) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, pem, clientCertificatePem, clientKeyPem,
                plainHttp, insecureSkipTlsVerify, proxy, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withClientCertificate(String certificatePem, String keyPem) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, certificatePem, keyPem,
                plainHttp, insecureSkipTlsVerify, proxy, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withPlainHttp(boolean plain) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plain, insecureSkipTlsVerify, proxy, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withInsecureSkipTlsVerify(boolean insecure) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plainHttp, insecure, proxy, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withProxy(String proxyUrl) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plainHttp, insecureSkipTlsVerify, proxyUrl, retry, maxRedirects, tagPageSize);
    }

    public TransportOptions withRetry(RetryPolicy policy) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plainHttp, insecureSkipTlsVerify, proxy, policy, maxRedirects, tagPageSize);
    }

    public TransportOptions withMaxRedirects(int max) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plainHttp, insecureSkipTlsVerify, proxy, retry, max, tagPageSize);
    }

    public TransportOptions withTagPageSize(int pageSize) {
        return new TransportOptions(connectTimeout, requestTimeout, operationTimeout, caCertificatesPem, clientCertificatePem,
                clientKeyPem, plainHttp, insecureSkipTlsVerify, proxy, retry, maxRedirects, pageSize);
    }

    String scheme() {
        return plainHttp ? "http" : "https";
    }

    /** No private key and no proxy password in logs. */
    @Override
    public String toString() {
        return "TransportOptions[connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", operationTimeout=" + operationTimeout + ", customCa=" + (caCertificatesPem != null)
                + ", clientCertificate=" + (clientCertificatePem != null) + ", plainHttp=" + plainHttp
                + ", insecureSkipTlsVerify=" + insecureSkipTlsVerify + ", proxy=" + (proxy != null)
                + ", retry=" + retry + ", maxRedirects=" + maxRedirects + ", tagPageSize=" + tagPageSize + "]";
    }
}
