package io.helmoci.engine.registry;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import okhttp3.Authenticator;
import okhttp3.Credentials;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * {@link ProxyRules} as OkHttp needs them: a {@link ProxySelector} that picks the proxy (or none) per
 * host, and {@code Proxy-Authorization} for the proxy only: sent up front on the CONNECT that opens a
 * tunnel for HTTPS (OkHttp's preemptive challenge) and on plain-HTTP requests forwarded by the proxy;
 * never on requests inside a tunnel nor on direct connections, so a registry never sees it. A real
 * 407 is not answered again with the same credentials: it becomes a {@link ProxyAuthenticationException}.
 */
final class ProxyRouting {
    /** OkHttp's marker for the made-up challenge it presents before opening a tunnel. */
    private static final String PREEMPTIVE = "OkHttp-Preemptive";
    /** The challenge of tinyproxy's own 401 to a forwarded plain-HTTP request (see {@link #plainHttpCredentials}). */
    private static final String TINYPROXY_CHALLENGE = "Basic realm=\"Tinyproxy\"";

    private final ProxyRules rules;

    ProxyRouting(ProxyRules rules) {
        this.rules = rules;
    }

    ProxySelector selector() {
        return new ProxySelector() {
            @Override
            public List<Proxy> select(URI uri) {
                int port = uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
                return rules.proxyFor(uri.getScheme(), uri.getHost(), port)
                        .map(p -> List.of(
                                new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(p.host(), p.port()))))
                        .orElse(List.of(Proxy.NO_PROXY));
            }

            @Override
            public void connectFailed(URI uri, SocketAddress address, IOException failure) {
                // nothing to fall back to: a proxy that cannot be reached fails the request (ProxyUnavailable)
            }
        };
    }

    Authenticator authenticator() {
        return (route, response) -> {
            if (route == null || route.proxy().type() != Proxy.Type.HTTP) {
                return null;
            }
            Optional<ProxyEndpoint> proxy = endpointOf(route.proxy());
            boolean preemptive = PREEMPTIVE.equals(response.header("Proxy-Authenticate"));
            if (preemptive) {
                return proxy.filter(ProxyEndpoint::hasCredentials)
                        .map(p -> response.request()
                                .newBuilder()
                                .header("Proxy-Authorization", basic(p))
                                .build())
                        .orElse(null);
            }
            // Credentials went with the request already (preemptively): asking again cannot help.
            String address = proxy.map(ProxyEndpoint::address)
                    .orElse(String.valueOf(route.proxy().address()));
            throw new ProxyAuthenticationException(
                    address, proxy.map(ProxyEndpoint::hasCredentials).orElse(false), response.code());
        };
    }

    /**
     * Adds the proxy's credentials to plain-HTTP requests that go through it (the proxy reads the request itself),
     * and recognises the proxy's own refusal of them: tinyproxy answers a forwarded request with wrong or missing
     * credentials with 401 and {@code WWW-Authenticate: Basic realm="Tinyproxy"} instead of 407.
     */
    Interceptor plainHttpCredentials() {
        return chain -> {
            Request request = chain.request();
            if (request.isHttps() || chain.connection() == null) {
                return chain.proceed(request);
            }
            Proxy proxy = chain.connection().route().proxy();
            Optional<ProxyEndpoint> endpoint = proxy.type() == Proxy.Type.HTTP ? endpointOf(proxy) : Optional.empty();
            if (endpoint.isEmpty()) {
                return chain.proceed(request);
            }
            Response response = endpoint.get().hasCredentials()
                    ? chain.proceed(request.newBuilder()
                            .header("Proxy-Authorization", basic(endpoint.get()))
                            .build())
                    : chain.proceed(request);
            if (response.code() == 401 && TINYPROXY_CHALLENGE.equals(response.header("WWW-Authenticate"))) {
                response.close();
                throw new ProxyAuthenticationException(
                        endpoint.get().address(), endpoint.get().hasCredentials(), 401);
            }
            return response;
        };
    }

    private Optional<ProxyEndpoint> endpointOf(Proxy proxy) {
        if (!(proxy.address() instanceof InetSocketAddress address)) {
            return Optional.empty();
        }
        return rules.endpointAt(address.getHostString(), address.getPort());
    }

    private static String basic(ProxyEndpoint proxy) {
        return Credentials.basic(proxy.username(), proxy.password(), StandardCharsets.UTF_8);
    }
}
