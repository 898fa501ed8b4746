package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The Chart.yaml fields users and downstream tools look at. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChartInfo {
    private String apiVersion;
    private String name;
    private String version;
    private String appVersion;
    private String description;
    private String type;
    private String kubeVersion;
    private Boolean deprecated;
    private List<ChartDependency> dependencies;

    public String getApiVersion() {
        return apiVersion;
    }

    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getVersion() {
        return version;
    }

    public void setVersion(String version) {
        this.version = version;
    }

    public String getAppVersion() {
        return appVersion;
    }

    public void setAppVersion(String appVersion) {
        this.appVersion = appVersion;
    }

    public String getDescription() {
        return description;
    }

    public void setDescription(String description) {
        this.description = description;
    }

    public String getType() {
        return type;
    }

    public void setType(String type) {
        this.type = type;
    }

    public String getKubeVersion() {
        return kubeVersion;
    }

    public void setKubeVersion(String kubeVersion) {
        this.kubeVersion = kubeVersion;
    }

    public Boolean getDeprecated() {
        return deprecated;
    }

    public void setDeprecated(Boolean deprecated) {
        this.deprecated = deprecated;
    }

    public List<ChartDependency> getDependencies() {
        return dependencies;
    }

    public void setDependencies(List<ChartDependency> dependencies) {
        this.dependencies = dependencies;
    }
}
