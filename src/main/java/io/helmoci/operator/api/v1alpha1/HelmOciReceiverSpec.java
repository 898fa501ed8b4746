package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Which registry sends events, how they are authenticated, and which HelmOciCharts they may trigger. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HelmOciReceiverSpec {
    /** The sender types; see the README for what each one authenticates and reads. */
    public static final String TYPES = "distribution|harbor|github|dockerhub|quay|acr|gar|generic-hmac|cdevents";

    @Required
    @Pattern("^(" + TYPES + ")$")
    @JsonPropertyDescription("The sender: distribution (CNCF distribution notifications), harbor, github (GitHub"
            + " packages), dockerhub, quay, acr (Azure Container Registry), gar (Google Artifact Registry through a"
            + " Pub/Sub push subscription) or generic-hmac (a JSON {registry, repository, tag, digest} signed with"
            + " HMAC-SHA256 in X-Signature) or cdevents (a CDEvents artifact.published CloudEvent, bearer token).")
    private String type;

    @Required
    @JsonPropertyDescription("The Secret of this namespace whose key 'token' holds the shared token or HMAC key;"
            + " the webhook path is derived from it. Changing the token changes the path.")
    private LocalReference secretRef;

    @JsonPropertyDescription("Which HelmOciCharts of this namespace an event may trigger (their spec.url must also"
            + " name the event's registry and repository). Absent: all of the namespace.")
    private LabelSelector chartSelector;

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public LocalReference getSecretRef() {
        return secretRef;
    }

    public void setSecretRef(LocalReference secretRef) {
        this.secretRef = secretRef;
    }

    public LabelSelector getChartSelector() {
        return chartSelector;
    }

    public void setChartSelector(LabelSelector chartSelector) {
        this.chartSelector = chartSelector;
    }
}
