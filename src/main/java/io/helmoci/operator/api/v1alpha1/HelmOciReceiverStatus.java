package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** Where the receiver listens, and whether it can authenticate events. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HelmOciReceiverStatus extends ConditionedStatus {
    @JsonPropertyDescription("The path to configure on the registry, on the operator's webhook port:"
            + " /hook/<sha256 of token, name and namespace>. It cannot be guessed without the token.")
    private String webhookPath;

    @Override
    @JsonPropertyDescription("kstatus conditions: Ready.")
    public List<Condition> getConditions() {
        return super.getConditions();
    }

    public String getWebhookPath() {
        return webhookPath;
    }

    public void setWebhookPath(String webhookPath) {
        this.webhookPath = webhookPath;
    }
}
