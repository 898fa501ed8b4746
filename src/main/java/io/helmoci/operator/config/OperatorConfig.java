package io.helmoci.operator.config;

import io.smallrye.config.ConfigMapping;

import java.nio.file.Path;

/** The operator's own settings (application.properties, or env HELMOCI_ARTIFACTS_BASE_URL, HELMOCI_STORE_PATH). */
@ConfigMapping(prefix = "helmoci")
public interface OperatorConfig {
    Artifacts artifacts();

    Store store();

    interface Artifacts {
        /** How clients reach the artifact server; written into status.artifact.url and the index.yaml URLs. */
        String baseUrl();
    }

    interface Store {
        /** The directory of the content-addressed chart store (a writable volume in the Deployment). */
        Path path();
    }
}
