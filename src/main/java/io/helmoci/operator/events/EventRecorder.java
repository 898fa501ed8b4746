package io.helmoci.operator.events;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** Kubernetes events about a resource, as `kubectl describe` shows them. Never put a secret in a message. */
public interface EventRecorder {
    void normal(HasMetadata resource, String reason, String message);

    void warning(HasMetadata resource, String reason, String message);
}
