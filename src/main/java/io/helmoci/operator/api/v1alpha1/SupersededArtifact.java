package io.helmoci.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * An archive the resource served before, still served at its URL until expiryTime, so that a
 * client that read the old status.artifact.url just before an update can still download it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SupersededArtifact {
    @JsonPropertyDescription("The URL the archive was published at; served until expiryTime.")
    private String url;

    @JsonPropertyDescription("sha256:<hex> of the archive.")
    private String digest;

    @JsonPropertyDescription("The digest of the OCI manifest the archive came from.")
    private String manifestDigest;

    @JsonPropertyDescription("Size of the archive in bytes.")
    private Long size;

    @JsonPropertyDescription(
            "When the archive stops being served and is deleted (RFC 3339): when it was superseded plus the operator's retention.")
    private String expiryTime;

    public SupersededArtifact() {}

    public SupersededArtifact(String url, String digest, String manifestDigest, Long size, String expiryTime) {
        this.url = url;
        this.digest = digest;
        this.manifestDigest = manifestDigest;
        this.size = size;
        this.expiryTime = expiryTime;
    }

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

    public String getManifestDigest() {
        return manifestDigest;
    }

    public void setManifestDigest(String manifestDigest) {
        this.manifestDigest = manifestDigest;
    }

    public Long getSize() {
        return size;
    }

    public void setSize(Long size) {
        this.size = size;
    }

    public String getExpiryTime() {
        return expiryTime;
    }

    public void setExpiryTime(String expiryTime) {
        this.expiryTime = expiryTime;
    }
}
