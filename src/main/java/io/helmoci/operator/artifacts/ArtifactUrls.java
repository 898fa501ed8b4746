package io.helmoci.operator.artifacts;

/**
 * Where the artifact server publishes things. The base URL (helmoci.artifacts.base-url) is how
 * clients reach the operator's Service, e.g. http://helm-oci-operator.helm-oci-system.svc.
 */
public final class ArtifactUrls {
    public static final String ARTIFACTS = "/artifacts";
    public static final String CHARTS = "/charts";
    public static final String INDEX = "index.yaml";

    private final String baseUrl;

    public ArtifactUrls(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    /** As Helm names packaged charts: {@code <chart>-<version>.tgz}. */
    public static String fileName(String chartName, String version) {
        return chartName + "-" + version + ".tgz";
    }

    /** /artifacts/&lt;namespace&gt;/&lt;name&gt;/&lt;chart&gt;-&lt;version&gt;.tgz */
    public static String artifactPath(String namespace, String name, String chartName, String version) {
        return ARTIFACTS + "/" + namespace + "/" + name + "/" + fileName(chartName, version);
    }

    public String artifactUrl(String namespace, String name, String chartName, String version) {
        return baseUrl + artifactPath(namespace, name, chartName, version);
    }
}
