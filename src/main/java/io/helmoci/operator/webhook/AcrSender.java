package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Azure Container Registry's webhooks
 * (https://learn.microsoft.com/en-us/azure/container-registry/container-registry-webhook-reference):
 * one event per delivery, {@code action: push} with {@code target.repository}, {@code target.tag},
 * {@code target.digest} and the registry in {@code request.host}; {@code ping} announces nothing. The
 * webhook's "Custom headers" carry {@code Authorization: Bearer <token>}.
 */
final class AcrSender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isBearer(request.header("Authorization"), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        String action = WebhookRequest.required(body, "action", "body");
        if (!action.equals("push")) {
            return List.of();
        }
        JsonNode target = body.path("target");
        return List.of(new PushEvent(
                WebhookRequest.required(body.path("request"), "host", "request"),
                WebhookRequest.required(target, "repository", "target"),
                WebhookRequest.optional(target, "tag"),
                WebhookRequest.optional(target, "digest")));
    }
}
