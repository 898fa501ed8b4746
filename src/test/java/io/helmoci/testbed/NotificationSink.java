package io.helmoci.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * An HTTP endpoint on 127.0.0.1 that collects the registry's notification events
 * ({@code {"events":[...]}} envelopes), for {@link RegistryFixture.Builder#notifications(String)}.
 */
public final class NotificationSink implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpServer server;
    private final List<JsonNode> events = new CopyOnWriteArrayList<>();
    private final List<String> contentTypes = new CopyOnWriteArrayList<>();

    private NotificationSink() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", exchange -> {
            try (exchange) {
                contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
                JsonNode envelope = JSON.readTree(exchange.getRequestBody());
                envelope.path("events").forEach(events::add);
                exchange.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    public static NotificationSink start() {
        try {
            return new NotificationSink();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/events";
    }

    /** Every event received so far, in arrival order. */
    public List<JsonNode> events() {
        return List.copyOf(events);
    }

    /** Content-Type of each POST received (distribution sends {@code application/vnd.docker.distribution.events.v1+json}). */
    public List<String> contentTypes() {
        return List.copyOf(contentTypes);
    }

    /** Waits for an event matching {@code condition}; the registry sends events asynchronously. */
    public JsonNode await(Predicate<JsonNode> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (JsonNode event : events) {
                if (condition.test(event)) {
                    return event;
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no matching registry event within " + timeout + "; received: " + events);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
