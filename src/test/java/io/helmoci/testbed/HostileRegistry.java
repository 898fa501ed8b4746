package io.helmoci.testbed;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A registry that misbehaves on purpose, on 127.0.0.1 (a real socket, the JDK's HTTP server via
 * {@link ScriptedHttpServer}), for what real registries cannot be made to do: tag lists that
 * paginate without end, {@code Link} headers that point back to a page already sent, and answers
 * that trickle one byte per second. It answers {@code /v2/} with 200 and everything else per its mode.
 */
public final class HostileRegistry implements AutoCloseable {

    /** How the registry misbehaves. */
    public enum Mode {
        /** Every tag-list page is {@code pageBytes} of semver tags and links to a further page, forever. */
        ENDLESS_TAG_PAGES,
        /** The tag-list page links back to itself. */
        LOOPING_TAG_PAGES,
        /** Every answer under a repository sends its headers, then one byte per second, never finishing. */
        TRICKLE
    }

    private final ScriptedHttpServer server;
    private final AtomicInteger pagesServed = new AtomicInteger();
    private final AtomicInteger openTrickles = new AtomicInteger();

    private HostileRegistry(Mode mode, int pageBytes) {
        server = ScriptedHttpServer.start((exchange, request) -> {
            if (request.path().equals("/v2/") || request.path().equals("/v2")) {
                ScriptedHttpServer.respond(exchange, 200, Map.of("Content-Type", "application/json"), "{}");
                return;
            }
            switch (mode) {
                case ENDLESS_TAG_PAGES -> endlessPage(exchange, request, pageBytes);
                case LOOPING_TAG_PAGES -> loopingPage(exchange, request);
                case TRICKLE -> trickle(exchange);
            }
        });
    }

    /** Tag-list pages of about {@code pageBytes} each (keep it under the 4 MiB per-page cap), without end. */
    public static HostileRegistry endlessTagPages(int pageBytes) {
        return new HostileRegistry(Mode.ENDLESS_TAG_PAGES, pageBytes);
    }

    public static HostileRegistry loopingTagPages() {
        return new HostileRegistry(Mode.LOOPING_TAG_PAGES, 0);
    }

    /** Answers that send one byte per second and never end. */
    public static HostileRegistry trickling() {
        return new HostileRegistry(Mode.TRICKLE, 0);
    }

    public String hostPort() {
        return server.hostPort();
    }

    /** {@code oci://127.0.0.1:<port>/<repository>}. */
    public String ociUrl(String repository) {
        return "oci://" + hostPort() + "/" + repository;
    }

    public int pagesServed() {
        return pagesServed.get();
    }

    /** Requests still being trickled to. */
    public int openTrickles() {
        return openTrickles.get();
    }

    public int requestCount() {
        return server.requests().size();
    }

    private void endlessPage(HttpExchange exchange, ScriptedHttpServer.Received request, int pageBytes)
            throws IOException {
        if (!request.path().endsWith("/tags/list")) {
            ScriptedHttpServer.respond(
                    exchange,
                    404,
                    Map.of("Content-Type", "application/json"),
                    "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
            return;
        }
        int page = pagesServed.getAndIncrement();
        String repository =
                request.path().substring("/v2/".length(), request.path().length() - "/tags/list".length());
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.getResponseHeaders()
                .add("Link", "</v2/" + repository + "/tags/list?n=1000000&last=" + page + ".0.0>; rel=\"next\"");
        exchange.sendResponseHeaders(200, 0); // chunked: the page is written as it is made
        try (OutputStream out = exchange.getResponseBody()) {
            StringBuilder chunk = new StringBuilder("{\"name\":\"" + repository + "\",\"tags\":[");
            long written = 0;
            for (int i = 0; written + chunk.length() < pageBytes - 64; i++) {
                chunk.append(i == 0 ? "" : ",")
                        .append('"')
                        .append(page)
                        .append('.')
                        .append(i / 1000)
                        .append('.')
                        .append(i % 1000)
                        .append('"');
                if (chunk.length() > 64 * 1024) {
                    out.write(chunk.toString().getBytes(StandardCharsets.US_ASCII));
                    written += chunk.length();
                    chunk.setLength(0);
                }
            }
            chunk.append("]}");
            out.write(chunk.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    private void loopingPage(HttpExchange exchange, ScriptedHttpServer.Received request) throws IOException {
        pagesServed.incrementAndGet();
        String repository =
                request.path().substring("/v2/".length(), request.path().length() - "/tags/list".length());
        ScriptedHttpServer.respond(
                exchange,
                200,
                Map.of(
                        "Content-Type",
                        "application/json",
                        "Link",
                        "</v2/" + repository + "/tags/list?n=2&last=1.0.0>; rel=\"next\""),
                "{\"name\":\"" + repository + "\",\"tags\":[\"1.0.0\",\"1.1.0\"]}");
    }

    private void trickle(HttpExchange exchange) throws IOException {
        openTrickles.incrementAndGet();
        try {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            byte[] body = "{\"name\":\"slow\",\"tags\":[\"1.0.0\"                                                   ]}"
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; ; i = (i + 1) % (body.length - 2)) {
                out.write(body[i]);
                out.flush();
                sleep(Duration.ofSeconds(1));
            }
        } finally {
            openTrickles.decrementAndGet();
        }
    }

    private static void sleep(Duration duration) throws IOException {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
