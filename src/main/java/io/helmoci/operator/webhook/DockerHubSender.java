package io.helmoci.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Docker Hub's webhooks (https://docs.docker.com/docker-hub/repos/manage/webhooks/):
 * {@code repository.repo_name} ({@code namespace/name}) and {@code push_data.tag}. Docker Hub
 * cannot sign or add headers: the unguessable webhook path is the only authentication (as Flux's dockerhub Receiver).
 */
final class DockerHubSender implements Sender {
    static final String REGISTRY = "docker.io";

    @Override
    public boolean authenticated(WebhookRequest request, byte[] token) {
        return true;
    }

    @Override
    public List<PushEvent> pushes(WebhookRequest request) {
        JsonNode body = request.json();
        String repository = WebhookRequest.required(body.path("repository"), "repo_name", "repository");
        return List.of(
                new PushEvent(REGISTRY, repository, WebhookRequest.optional(body.path("push_data"), "tag"), null));
    }
}
