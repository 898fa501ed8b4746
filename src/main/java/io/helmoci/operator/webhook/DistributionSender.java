package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * CNCF distribution's notifications (https://distribution.github.io/distribution/about/notifications/):
 * an envelope {@code {"events":[...]}}; a manifest push is {@code action: push} with
 * {@code target.repository} (and {@code tag}, {@code digest}) and the registry the client pushed to in
 * {@code request.host}. Only a manifest put by tag makes a version visible: blob pushes, pulls and
 * manifests put by digest alone (helm and oras put by digest first, then by tag) announce nothing. The endpoint is configured with
 * {@code headers: {Authorization: [Bearer <token>]}}.
 */
final class DistributionSender implements Sender {
    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return Tokens.isBearer(request.header("Authorization"), token);
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode events = request.json().path("events");
        if (!events.isArray()) {
            throw new MalformedEventException("no events array: not a distribution notification envelope");
        }
        List<PushEvent> pushes = new ArrayList<>();
        for (JsonNode event : events) {
            JsonNode target = event.path("target");
            if (!"push".equals(event.path("action").asText()) || !target.hasNonNull("tag")) {
                continue; // blobs, pulls, and manifests put by digest (helm puts by digest, then by tag)
            }
            pushes.add(new PushEvent(
                    WebhookRequest.required(event.path("request"), "host", "events[].request"),
                    WebhookRequest.required(target, "repository", "events[].target"),
                    WebhookRequest.optional(target, "tag"),
                    WebhookRequest.optional(target, "digest")));
        }
        return pushes;
    }
}
