package io.helmoci.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.util.Optional;

/** The operator's own settings (application.properties, or env such as HELMOCI_ARTIFACTS_BASE_URL, HELMOCI_STORE_PATH,
 * HELMOCI_LEADER_ELECTION_LEASE_NAMESPACE). */
@ConfigMapping(prefix = "helmoci")
public interface OperatorConfig {
    Artifacts artifacts();

    Store store();

    LeaderElection leaderElection();

    interface Artifacts {
        /** How clients reach the artifact server; written into status.artifact.url and the index.yaml URLs. */
        String baseUrl();
    }

    interface LeaderElection {
        /** The Lease that replicas compete for; only the holder reconciles, every replica serves artifacts. */
        @WithDefault("helm-oci-operator-leader")
        String leaseName();

        /** Where the Lease lives; defaults to the operator's own namespace when running in a pod. */
        Optional<String> leaseNamespace();
    }

    interface Store {
        /** The directory of the content-addressed chart store (a writable volume in the Deployment). */
        Path path();
    }
}
