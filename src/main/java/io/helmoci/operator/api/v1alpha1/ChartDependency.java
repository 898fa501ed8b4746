package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One entry of Chart.yaml's dependencies. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ChartDependency {
    private String name;
    private String version;
    private String repository;
    private String alias;

    public ChartDependency() {}

    public ChartDependency(String name, String version, String repository, String alias) {
        this.name = name;
        this.version = version;
        this.repository = repository;
        this.alias = alias;
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

    public String getRepository() {
        return repository;
    }

    public void setRepository(String repository) {
        this.repository = repository;
    }

    public String getAlias() {
        return alias;
    }

    public void setAlias(String alias) {
        this.alias = alias;
    }
}
