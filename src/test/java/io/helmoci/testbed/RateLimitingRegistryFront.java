package io.helmoci.testbed;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry that rate-limits on demand: a scripted front on loopback that passes pulls (requests
 * without a body) on to a real registry, or, while {@link #limit limited}, answers every request 429
 * with {@code Retry-After}, as Docker Hub does. It counts the requests it refused and the ones it
 * passed on.
 */
public final class RateLimitingRegistryFront implements AutoCloseable {
    private final ScriptedHttpServer server;
    private final AtomicBoolean limited;
    private final AtomicInteger sentWhileLimited;
    private final AtomicInteger forwarded;

    private RateLimitingRegistryFront(
            ScriptedHttpServer server, AtomicBoolean limited, AtomicInteger sentWhileLimited, AtomicInteger forwarded) {
        this.server = server;
        this.limited = limited;
        this.sentWhileLimited = sentWhileLimited;
        this.forwarded = forwarded;
    }

    /** Starts in front of the registry at {@code registryBaseUrl}, taking requests (not limited). */
    public static RateLimitingRegistryFront start(URI registryBaseUrl, int retryAfterSeconds) {
        AtomicBoolean limited = new AtomicBoolean();
        AtomicInteger sentWhileLimited = new AtomicInteger();
        AtomicInteger forwarded = new AtomicInteger();
        HttpClient upstream = HttpClient.newHttpClient();
        ScriptedHttpServer server = ScriptedHttpServer.start((exchange, request) -> {
            if (limited.get()) {
                sentWhileLimited.incrementAndGet();
                ScriptedHttpServer.respond(
                        exchange,
                        429,
                        Map.of("Retry-After", String.valueOf(retryAfterSeconds), "Content-Type", "application/json"),
                        "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\"}]}");
                return;
            }
            forwarded.incrementAndGet();
            RegistryPassThrough.forward(upstream, registryBaseUrl, exchange, request);
        });
        return new RateLimitingRegistryFront(server, limited, sentWhileLimited, forwarded);
    }

    /** Answers 429 to every request while {@code on}; passes them on again when not. */
    public void limit(boolean on) {
        limited.set(on);
    }

    /** The requests answered 429 so far. */
    public int sentWhileLimited() {
        return sentWhileLimited.get();
    }

    /** The requests passed on to the registry so far. */
    public int forwarded() {
        return forwarded.get();
    }

    /** host:port, for {@code oci://<hostPort>/...} URLs (plain HTTP). */
    public String hostPort() {
        return server.hostPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
