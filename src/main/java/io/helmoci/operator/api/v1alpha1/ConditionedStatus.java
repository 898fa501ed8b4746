package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/**
 * What the status of every helmoci.io resource has: kstatus conditions and the generation they
 * describe. Each resource documents its condition types on its own {@link #getConditions()}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class ConditionedStatus {
    @JsonPropertyDescription("The metadata.generation the conditions describe.")
    private Long observedGeneration;

    private List<Condition> conditions = new ArrayList<>();

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
}
