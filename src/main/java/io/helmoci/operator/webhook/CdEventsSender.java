package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A CDEvents {@code artifact.published} event (https://cdevents.dev/docs/artifact/#artifact-published)
 * over CloudEvents HTTP (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/http-protocol-binding.md):
 * binary mode (the CDEvent is the body, {@code ce-type} a header) or structured mode (a CloudEvent whose
 * {@code data} is the CDEvent). The artifact is {@code subject.id}, an OCI package URL
 * (https://github.com/package-url/purl-spec/blob/master/PURL-TYPES.rst#oci):
 * {@code pkg:oci/<name>@<digest>?repository_url=<host>/<path>/<name>&tag=<tag>}. Other events and
 * other package types announce nothing. Authenticated by {@code Authorization: Bearer <token>}.
 */
final class CdEventsSender implements Sender {
    static final String PUBLISHED = "dev.cdevents.artifact.published.";

    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isBearer(request.header("Authorization"), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        JsonNode event = body.has("specversion") ? body.path("data") : body;
        String type = WebhookRequest.optional(event.path("context"), "type");
        if (type == null) {
            type = body.has("specversion") ? WebhookRequest.optional(body, "type") : request.header("ce-type");
        }
        if (type == null) {
            throw new MalformedEventException("neither context.type nor a CloudEvents type: not a CDEvent");
        }
        if (!type.startsWith(PUBLISHED)) {
            return List.of();
        }
        String purl = WebhookRequest.required(event.path("subject"), "id", "subject");
        if (!purl.startsWith("pkg:oci/")) {
            return List.of();
        }
        int question = purl.indexOf('?');
        Map<String, String> qualifiers = qualifiers(question < 0 ? "" : purl.substring(question + 1));
        String nameAndVersion = question < 0 ? purl.substring(8) : purl.substring(8, question);
        int at = nameAndVersion.indexOf('@');
        String digest = at < 0 ? null : decode(nameAndVersion.substring(at + 1));
        String repositoryUrl = qualifiers.get("repository_url");
        if (repositoryUrl == null) {
            throw new MalformedEventException("subject.id has no repository_url qualifier: which registry?");
        }
        return List.of(PushEvent.fromImageReference(repositoryUrl, qualifiers.get("tag"), digest));
    }

    private static Map<String, String> qualifiers(String query) {
        Map<String, String> values = new HashMap<>();
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0) {
                values.put(pair.substring(0, equals), decode(pair.substring(equals + 1)));
            }
        }
        return values;
    }

    private static String decode(String value) {
        return URLDecoder.decode(value, StandardCharsets.UTF_8);
    }
}
