package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.Credentials;
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
            String proxy) {
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
            configureProxy(builder, options.proxy());
        }
        return builder.build();
    }

    private static void configureProxy(OkHttpClient.Builder builder, String proxyUrl) {
        URI uri;
        try {
            uri = new URI(proxyUrl.contains("://") ? proxyUrl : "http://" + proxyUrl);
        } catch (URISyntaxException e) {
            throw badProxy();
        }
        if (uri.getHost() == null || !"http".equalsIgnoreCase(uri.getScheme())) {
            throw badProxy();
        }
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        builder.proxy(new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(uri.getHost(), port)));
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            String user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
            String password = colon < 0 ? "" : decode(userInfo.substring(colon + 1));
            String authorization = Credentials.basic(user, password, StandardCharsets.UTF_8);
            builder.proxyAuthenticator((route, response) -> response.request().header("Proxy-Authorization") != null
                    ? null
                    : response.request()
                            .newBuilder()
                            .header("Proxy-Authorization", authorization)
                            .build());
        }
    }

    private static String decode(String text) {
        return java.net.URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    private static EngineException badProxy() {
        // The proxy URL may hold a password: never echo it.
        return new EngineException(
                Reason.RegistryUnavailable,
                "The proxy setting is not a valid URL. Give it as http://host:port or http://user:password@host:port.");
    }

    @Override
    public void close() {
        base.dispatcher().executorService().shutdown();
        base.connectionPool().evictAll();
    }
}
