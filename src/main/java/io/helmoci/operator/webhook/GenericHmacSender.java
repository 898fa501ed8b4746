package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Any registry or CI job: {@code {"registry":"host[:port]","repository":"path/name","tag":"...","digest":"..."}}
 * signed with the token as HMAC-SHA256 key in {@code X-Signature: sha256=<hex>} (the header of
 * Flux's generic-hmac Receiver). Tag and digest are optional.
 */
final class GenericHmacSender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isHmacSha256(request.header("X-Signature"), request.body(), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        return List.of(new PushEvent(
                WebhookRequest.required(body, "registry", "body"),
                WebhookRequest.required(body, "repository", "body"),
                WebhookRequest.optional(body, "tag"),
                WebhookRequest.optional(body, "digest")));
    }
}
