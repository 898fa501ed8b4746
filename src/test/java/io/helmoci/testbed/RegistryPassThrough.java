package io.helmoci.testbed;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Passes a registry request received by a test-bed front ({@link ScriptedHttpServer}) on to a real registry. */
public final class RegistryPassThrough {
    private static final List<String> FORWARDED = List.of(
            "Content-Type", "Docker-Content-Digest", "Content-Length", "Link", "Docker-Distribution-Api-Version");

    private RegistryPassThrough() {}

    /** Sends {@code request} (method, path, query, Accept) to {@code registryBaseUrl} and answers with its reply. */
    public static void forward(
            HttpClient upstream, URI registryBaseUrl, HttpExchange exchange, ScriptedHttpServer.Received request)
            throws IOException {
        String query = request.query() == null ? "" : "?" + request.query();
        HttpRequest.Builder forward = HttpRequest.newBuilder(registryBaseUrl.resolve(request.path() + query))
                .method(request.method(), HttpRequest.BodyPublishers.noBody());
        String accept = request.header("accept");
        if (accept != null) {
            forward.header("Accept", accept);
        }
        try {
            HttpResponse<byte[]> answer = upstream.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new LinkedHashMap<>();
            FORWARDED.forEach(name -> answer.headers().firstValue(name).ifPresent(value -> headers.put(name, value)));
            boolean head = request.method().equals("HEAD");
            if (!head) {
                headers.remove("Content-Length");
            }
            ScriptedHttpServer.respond(exchange, answer.statusCode(), headers, head ? null : answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
