package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Where the receiver listens, and whether it can authenticate events. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HelmOciReceiverStatus {
    @JsonPropertyDescription("The metadata.generation the conditions describe.")
    private Long observedGeneration;

    @JsonPropertyDescription("kstatus conditions: Ready.")
    private List<Condition> conditions = new ArrayList<>();

    @JsonPropertyDescription("The path to configure on the registry, on the operator's webhook port:"
            + " /hook/<sha256 of token, name and namespace>. It cannot be guessed without the token.")
    private String webhookPath;

    public Long getObservedGeneration() {
        return observedGeneration;
    }

    public void setObservedGeneration(Long observedGeneration) {
        this.observedGeneration = observedGeneration;
    }

    public List<Condition> getConditions() {
        return conditions;
    }

    public void setConditions(List<Condition> conditions) {
        this.conditions = conditions;
    }

    public String getWebhookPath() {
        return webhookPath;
    }

    public void setWebhookPath(String webhookPath) {
        this.webhookPath = webhookPath;
    }
}
