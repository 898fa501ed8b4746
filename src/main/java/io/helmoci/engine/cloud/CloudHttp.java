package io.helmoci.engine.cloud;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.registry.ProxyFailures;
import io.helmoci.engine.registry.ProxyRules;
import java.net.URI;
import java.util.Optional;
import okhttp3.OkHttpClient;

/**
 * How the clouds' token and exchange endpoints are reached: an OkHttp client that follows the same
 * proxy rules as the chart's registry requests, and those rules, to name the proxy in a failure.
 *
 * @param client the client (with the proxy selector and proxy authentication of {@code proxy})
 * @param proxy  the rules it follows; null = no proxy of ours (the JVM's defaults)
 */
record CloudHttp(OkHttpClient client, ProxyRules proxy) {
    /** The proxy's part in a failed call to {@code endpoint} (a refused proxy password, an unreachable proxy). */
    Optional<EngineException> proxyFailure(Throwable failure, URI endpoint, String what) {
        String scheme = endpoint.getScheme() == null ? "https" : endpoint.getScheme();
        int port = endpoint.getPort() >= 0 ? endpoint.getPort() : "https".equalsIgnoreCase(scheme) ? 443 : 80;
        return ProxyFailures.of(
                failure, proxy, scheme, endpoint.getHost(), port, what + " at " + endpoint.getHost() + ":" + port);
    }
}
