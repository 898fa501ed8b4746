package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** The chart archive the operator serves over HTTP. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Artifact {
    @JsonPropertyDescription("Where helm (or Argo CD, Flux) can download the chart archive.")
    private String url;

    @JsonPropertyDescription("sha256:<hex> of the archive; equals status.contentDigest.")
    private String digest;

    @JsonPropertyDescription("Size of the archive in bytes.")
    private Long size;

    @JsonPropertyDescription("When this archive was first published (RFC 3339).")
    private String lastUpdateTime;

    public String getUrl() {
        return url;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public String getDigest() {
        return digest;
    }

    public void setDigest(String digest) {
        this.digest = digest;
    }

    public Long getSize() {
        return size;
    }

    public void setSize(Long size) {
        this.size = size;
    }

    public String getLastUpdateTime() {
        return lastUpdateTime;
    }

    public void setLastUpdateTime(String lastUpdateTime) {
        this.lastUpdateTime = lastUpdateTime;
    }
}
