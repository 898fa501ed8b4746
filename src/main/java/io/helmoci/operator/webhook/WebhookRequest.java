package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/** A webhook delivery as a {@link Sender} sees it: the headers (names lower case) and the raw body. */
public record WebhookRequest(Map<String, String> headers, byte[] body) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public WebhookRequest {
        headers = Map.copyOf(headers);
        body = body.clone();
    }

    /** The header's value, or null; {@code name} in any case. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body as a JSON object, or {@link MalformedEventException}. */
    public JsonNode json() {
        return parseObject(body, "body");
    }

    static JsonNode parseObject(byte[] bytes, String what) {
        try {
            JsonNode node = JSON.readTree(bytes);
            if (node == null || !node.isObject()) {
                throw new MalformedEventException("the " + what + " is not a JSON object");
            }
            return node;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new MalformedEventException("the " + what + " is not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new MalformedEventException("the " + what + " is not JSON");
        }
    }

    /** A text field that must be there, else {@link MalformedEventException}. */
    static String required(JsonNode node, String field, String where) {
        JsonNode value = node.path(field);
        if (!value.isTextual() || value.asText().isBlank()) {
            throw new MalformedEventException(where + "." + field + " is missing");
        }
        return value.asText();
    }

    /** A text field, or null. */
    static String optional(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }
}
