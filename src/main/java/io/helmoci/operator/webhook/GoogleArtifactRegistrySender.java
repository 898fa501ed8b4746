package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.List;

/**
 * Google Artifact Registry's Pub/Sub notifications
 * (https://cloud.google.com/artifact-registry/docs/configure-notifications) delivered by a push
 * subscription (https://cloud.google.com/pubsub/docs/push#receive_push): {@code message.data} is the
 * base64 of {@code {"action":"INSERT","digest":"<host>/<project>/<repo>/<image>@sha256:...","tag":"...:<tag>"}}.
 * Only INSERT announces a push. Authenticated by the unguessable webhook path (the subscription's
 * OIDC token is not verified: that needs Google's signing keys).
 */
final class GoogleArtifactRegistrySender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return true;
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        String data = WebhookRequest.required(request.json().path("message"), "data", "message");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(data);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException("message.data is not base64");
        }
        JsonNode notification = WebhookRequest.parseObject(decoded, "message data");
        if (!"INSERT".equals(notification.path("action").asText())) {
            return List.of();
        }
        String tag = WebhookRequest.optional(notification, "tag");
        String digest = WebhookRequest.optional(notification, "digest");
        if (tag == null && digest == null) {
            throw new MalformedEventException("message data has neither tag nor digest");
        }
        PushEvent event = PushEvent.fromImageReference(tag != null ? tag : digest, null, null);
        String digestOnly = digest == null
                ? null
                : PushEvent.fromImageReference(digest, null, null).digest();
        return List.of(new PushEvent(event.registry(), event.repository(), event.tag(), digestOnly));
    }
}
