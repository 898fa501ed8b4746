package io.helmoci.engine.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach registries: timeouts, TLS trust and client certificate, plain HTTP, proxy, retries
 * and redirects. Equal options share one HTTP client and its connection pool. Built with
 * {@link #builder()}, changed with {@link #toBuilder()}.
 *
 * @param connectTimeout        TCP + TLS connect, per attempt
 * @param requestTimeout        longest silence while reading or writing, per attempt
 * @param operationTimeout      deadline for a whole inspect or pull, retries and downloads included
 * @param caCertificatesPem     PEM bundle of CA certificates that replaces the JVM trust store; null = JVM defaults
 * @param clientCertificatePem  PEM client certificate chain for mutual TLS; null = none
 * @param clientKeyPem          PEM private key (PKCS#8, PKCS#1 RSA or SEC1 EC) for the client certificate
 * @param plainHttp             talk plain HTTP; only when explicitly asked
 * @param insecureSkipTlsVerify accept any server certificate and host name; only when explicitly asked
 * @param proxy                 which HTTP proxy each host is reached through ({@link ProxyRules}); null = the JVM's proxy selector
 * @param retry                 retry policy
 * @param maxRedirects          how many redirects one request may follow
 * @param tagPageSize           tags asked for per tag-list page ({@code n=}); 0 lets the registry choose (all at once, as Helm)
 */
public record TransportOptions(
        Duration connectTimeout,
        Duration requestTimeout,
        Duration operationTimeout,
        String caCertificatesPem,
        String clientCertificatePem,
        String clientKeyPem,
        boolean plainHttp,
        boolean insecureSkipTlsVerify,
        ProxyRules proxy,
        RetryPolicy retry,
        int maxRedirects,
        int tagPageSize) {

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
        return builder().build();
    }

    /** Starts from the defaults: 10 s connect, 30 s per request, 5 min per operation, JVM trust, default retries, 10 redirects. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options, to change some of them: {@code options.toBuilder().plainHttp(true).build()}. */
    public Builder toBuilder() {
        return new Builder()
                .timeouts(connectTimeout, requestTimeout, operationTimeout)
                .caCertificates(caCertificatesPem)
                .clientCertificate(clientCertificatePem, clientKeyPem)
                .plainHttp(plainHttp)
                .insecureSkipTlsVerify(insecureSkipTlsVerify)
                .proxy(proxy)
                .retry(retry)
                .maxRedirects(maxRedirects)
                .tagPageSize(tagPageSize);
    }

    /** Builds {@link TransportOptions}; each setter documents itself through the record's parameters. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private Duration operationTimeout = Duration.ofMinutes(5);
        private String caCertificatesPem;
        private String clientCertificatePem;
        private String clientKeyPem;
        private boolean plainHttp;
        private boolean insecureSkipTlsVerify;
        private ProxyRules proxy;
        private RetryPolicy retry = RetryPolicy.defaults();
        private int maxRedirects = 10;
        private int tagPageSize;

        private Builder() {}

        public Builder timeouts(Duration connect, Duration request, Duration operation) {
            this.connectTimeout = connect;
            this.requestTimeout = request;
            this.operationTimeout = operation;
            return this;
        }

        public Builder operationTimeout(Duration operation) {
            this.operationTimeout = operation;
            return this;
        }

        public Builder caCertificates(String pem) {
            this.caCertificatesPem = pem;
            return this;
        }

        public Builder clientCertificate(String certificatePem, String keyPem) {
            this.clientCertificatePem = certificatePem;
            this.clientKeyPem = keyPem;
            return this;
        }

        public Builder plainHttp(boolean plain) {
            this.plainHttp = plain;
            return this;
        }

        public Builder insecureSkipTlsVerify(boolean insecure) {
            this.insecureSkipTlsVerify = insecure;
            return this;
        }

        /** Every host through the proxy at {@code http://[user:password@]host:port}; null = none set. */
        public Builder proxy(String proxyUrl) {
            this.proxy =
                    proxyUrl == null ? null : ProxyRules.allThrough(ProxyEndpoint.parse(proxyUrl, "the proxy URL"));
            return this;
        }

        public Builder proxy(ProxyRules rules) {
            this.proxy = rules;
            return this;
        }

        public Builder retry(RetryPolicy policy) {
            this.retry = policy;
            return this;
        }

        public Builder maxRedirects(int max) {
            this.maxRedirects = max;
            return this;
        }

        public Builder tagPageSize(int pageSize) {
            this.tagPageSize = pageSize;
            return this;
        }

        public TransportOptions build() {
            return new TransportOptions(
                    connectTimeout,
                    requestTimeout,
                    operationTimeout,
                    caCertificatesPem,
                    clientCertificatePem,
                    clientKeyPem,
                    plainHttp,
                    insecureSkipTlsVerify,
                    proxy,
                    retry,
                    maxRedirects,
                    tagPageSize);
        }
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
                + ", insecureSkipTlsVerify=" + insecureSkipTlsVerify + ", proxy=" + proxy
                + ", retry=" + retry + ", maxRedirects=" + maxRedirects + ", tagPageSize=" + tagPageSize + "]";
    }
}
