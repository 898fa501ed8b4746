package io.helmoci.testbed.cloud;

import io.helmoci.testbed.RegistryFixture;
import io.helmoci.testbed.RegistryPassThrough;
import io.helmoci.testbed.ScriptedHttpServer;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiPredicate;
import java.util.function.Function;

/**
 * A cloud registry's authentication in front of a real registry (which itself runs without auth on
 * loopback and holds the charts): every /v2/ request must carry an Authorization the cloud would
 * accept for that repository (checked by {@code accepts}); others get 401 with the cloud's
 * challenge. Accepted requests are forwarded unchanged. Extra routes (ACR's /oauth2/exchange and
 * /oauth2/token) are answered by the front itself.
 */
public final class CloudRegistryFront implements AutoCloseable {
    private final ScriptedHttpServer server;
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final List<String> refusedAuthorizations = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param backend   the registry holding the charts
     * @param accepts   (Authorization header or null, repository) -> whether the cloud would serve it
     * @param challenge this front -> the WWW-Authenticate value of a 401
     * @param routes    path -> handler for paths the front answers itself
     */
    public CloudRegistryFront(
            RegistryFixture backend,
            BiPredicate<String, String> accepts,
            Function<CloudRegistryFront, String> challenge,
            Map<String, ScriptedHttpServer.Handler> routes) {
        HttpClient upstream = HttpClient.newHttpClient();
        this.server = ScriptedHttpServer.start((exchange, request) -> {
            ScriptedHttpServer.Handler route = routes.get(request.path());
            if (route != null) {
                route.handle(exchange, request);
                return;
            }
            if (!request.path().startsWith("/v2/")) {
                ScriptedHttpServer.respond(exchange, 404, Map.of(), "not found");
                return;
            }
            String authorization = request.header("authorization");
            if (!accepts.test(authorization, repository(request.path()))) {
                refused.incrementAndGet();
                if (authorization != null) {
                    refusedAuthorizations.add(authorization);
                }
                ScriptedHttpServer.respond(
                        exchange,
                        401,
                        Map.of("WWW-Authenticate", challenge.apply(this), "Content-Type", "application/json"),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            accepted.incrementAndGet();
            RegistryPassThrough.forward(upstream, backend.baseUrl(), exchange, request);
        });
    }

    /** The repository of a /v2/<name>/(manifests|blobs|tags)/... path. */
    static String repository(String path) {
        String rest = path.substring("/v2/".length());
        for (String marker : List.of("/manifests/", "/blobs/", "/tags/")) {
            int at = rest.indexOf(marker);
            if (at >= 0) {
                return rest.substring(0, at);
            }
        }
        return "";
    }

    /** host:port, as the registry host in oci:// URLs. */
    public String hostPort() {
        return server.hostPort();
    }

    public String url() {
        return server.url();
    }

    public String ociUrl(String repository) {
        return "oci://" + hostPort() + "/" + repository;
    }

    public int acceptedCount() {
        return accepted.get();
    }

    public int refusedCount() {
        return refused.get();
    }

    /** Authorization headers that were sent but refused (an expired or foreign credential). */
    public List<String> refusedAuthorizations() {
        return List.copyOf(refusedAuthorizations);
    }

    @Override
    public void close() {
        server.close();
    }
}
