package io.helmoci.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** The operator's own settings (application.properties, or env such as HELMOCI_ARTIFACTS_BASE_URL,
 * HELMOCI_ARTIFACTS_RETENTION, HELMOCI_STORE_PATH, HELMOCI_LEADER_ELECTION_LEASE_NAMESPACE). */
@ConfigMapping(prefix = "helmoci")
public interface OperatorConfig {
    Artifacts artifacts();

    Store store();

    LeaderElection leaderElection();

    interface Artifacts {
        /** How clients reach the artifact server; written into status.artifact.url and the index.yaml URLs. */
        String baseUrl();

        /**
         * How long a superseded archive stays served at its old URL (listed in status.supersededArtifacts)
         * before it is deleted, so a client that just read the old URL can still download it; unused
         * blobs in the store are deleted after the same time. 0 removes superseded archives at the next sweep.
         */
        @WithDefault("5m")
        Duration retention();
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
