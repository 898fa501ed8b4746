package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Harbor's webhooks (https://goharbor.io/docs/2.10.0/working-with-projects/project-configuration/configure-webhooks/):
 * {@code type: PUSH_ARTIFACT} with {@code event_data.resources[].resource_url}
 * ({@code host/project/repository:tag}), {@code tag} and {@code digest}. The token is configured as
 * the webhook's "Auth Header", which Harbor sends verbatim as {@code Authorization} (as Flux's harbor Receiver).
 */
final class HarborSender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isTokenOrBearer(request.header("Authorization"), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        String type = WebhookRequest.required(body, "type", "body");
        if (!type.equals("PUSH_ARTIFACT")) {
            return List.of();
        }
        JsonNode resources = body.path("event_data").path("resources");
        if (!resources.isArray() || resources.isEmpty()) {
            throw new MalformedEventException("event_data.resources is missing");
        }
        List<PushEvent> pushes = new ArrayList<>();
        for (JsonNode resource : resources) {
            pushes.add(PushEvent.fromImageReference(
                    WebhookRequest.required(resource, "resource_url", "event_data.resources[]"),
                    WebhookRequest.optional(resource, "tag"),
                    WebhookRequest.optional(resource, "digest")));
        }
        return pushes;
    }
}
