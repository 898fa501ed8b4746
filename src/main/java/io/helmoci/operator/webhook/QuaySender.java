package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Quay's "Repository Push" notification (https://docs.quay.io/guides/notifications.html):
 * {@code docker_url} ({@code quay.io/namespace/name}) and {@code updated_tags}. Quay cannot sign or
 * add headers: the unguessable webhook path is the only authentication (as Flux's quay Receiver).
 */
final class QuaySender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return true;
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        String url = WebhookRequest.required(body, "docker_url", "body");
        List<PushEvent> pushes = new ArrayList<>();
        for (JsonNode tag : body.path("updated_tags")) {
            pushes.add(PushEvent.fromImageReference(url, tag.asText(), null));
        }
        return pushes.isEmpty() ? List.of(PushEvent.fromImageReference(url, null, null)) : pushes;
    }
}
