package io.helmoci.engine.registry;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * One OkHttp client per distinct transport setting, all sharing a connection pool and dispatcher,
 * so connections to a registry are reused across operations. Redirects are never followed by
 * OkHttp ({@link RegistryHttp} follows them by hand, dropping credentials across origins).
 */
final class HttpClientFactory implements AutoCloseable {
    private static final int MAX_CLIENTS = 64;

    /** The parts of {@link TransportOptions} that shape a client; retries and deadlines are per call. */
    private record ClientKey(
            Duration connectTimeout,
            Duration requestTimeout,
            String caCertificatesPem,
            String clientCertificatePem,
            String clientKeyPem,
            boolean insecureSkipTlsVerify,
            ProxyRules proxy) {
        static ClientKey of(TransportOptions o) {
            return new ClientKey(
                    o.connectTimeout(),
                    o.requestTimeout(),
                    o.caCertificatesPem(),
                    o.clientCertificatePem(),
                    o.clientKeyPem(),
                    o.insecureSkipTlsVerify(),
                    o.proxy());
        }
    }

    private final OkHttpClient base;

    HttpClientFactory() {
        this(RegistryBudget.Limits.unlimited(), java.time.Clock.systemUTC());
    }

    /** Every client shares one {@link RegistryBudget}: the limits hold per registry host across all settings. */
    HttpClientFactory(RegistryBudget.Limits limits, java.time.Clock clock) {
        base = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(16, 5, TimeUnit.MINUTES))
                .followRedirects(false)
                .followSslRedirects(false)
                .addInterceptor(new RegistryBudget(limits, clock))
                .build();
    }

    private final Map<ClientKey, OkHttpClient> clients = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ClientKey, OkHttpClient> eldest) {
            return size() > MAX_CLIENTS;
        }
    };

    synchronized OkHttpClient clientFor(TransportOptions options) {
        return clients.computeIfAbsent(ClientKey.of(options), key -> build(options));
    }

    private OkHttpClient build(TransportOptions options) {
        OkHttpClient.Builder builder = base.newBuilder()
                .connectTimeout(options.connectTimeout())
                .readTimeout(options.requestTimeout())
                .writeTimeout(options.requestTimeout());
        TlsMaterial tls = TlsMaterial.of(options);
        if (tls != null) {
            builder.sslSocketFactory(tls.socketFactory(), tls.trustManager());
        }
        if (options.insecureSkipTlsVerify()) {
            builder.hostnameVerifier((host, session) -> true);
        }
        if (options.proxy() != null) {
            options.proxy().applyTo(builder);
        }
        return builder.build();
    }

    @Override
    public void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }
}
