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

    Limits limits();

    Reconcile reconcile();

    Registry registry();

    Sharding sharding();

    ExternalArtifacts externalArtifacts();

    /**
     * Flux ExternalArtifacts (issue 12; env HELMOCI_EXTERNAL_ARTIFACTS_ALL): published for the
     * HelmOciCharts whose spec.externalArtifact is true, or for all that do not set it to false when
     * {@code all} is true, as long as Flux's ExternalArtifact CRD is installed.
     */
    interface ExternalArtifacts {
        /** Publish an ExternalArtifact for every HelmOciChart that does not set spec.externalArtifact: false. */
        @WithDefault("false")
        boolean all();

        /** While the ExternalArtifact CRD is absent, how often the API server's discovery is asked again. */
        @WithDefault("1m")
        Duration crdCheckInterval();
    }

    Webhook webhook();

    /**
     * The registry webhook listener (HelmOciReceiver), on its own port so that exposing it does not
     * expose the artifact server (env HELMOCI_WEBHOOK_PORT and so on).
     */
    interface Webhook {
        /** Whether to listen at all; without, HelmOciReceivers still get their status but nothing receives events. */
        @WithDefault("true")
        boolean enabled();

        /** The interface to listen on. */
        @WithDefault("0.0.0.0")
        String host();

        /** The port (Flux's receiver uses 9292 too); 0 picks a free one (logged). */
        @WithDefault("9292")
        int port();

        /** Largest request body accepted; larger ones are answered 413 without being read further. */
        @WithDefault("262144")
        int maxBodyBytes();

        /**
         * After an event triggers the charts of a repository, further events for it wait this long: repeats are
         * dropped, a new one triggers once when the window ends. Bounds what a flood of events costs.
         */
        @WithDefault("2s")
        java.time.Duration coalesceWindow();

        /**
         * How long a triggered check waits after the event: registries announce a push as they store it, a moment
         * before its tag can be read (CNCF distribution notified before its answer to the tagged PUT completed). 0: at once.
         */
        @WithDefault("300ms")
        java.time.Duration settleDelay();
    }

    Identity identity();

    /**
     * Cloud workload identity for spec.provider aws, azure and gcp (env HELMOCI_IDENTITY_*). Endpoint
     * settings default to the variables the clouds' SDKs read (AWS_ENDPOINT_URL_STS, AWS_REGION,
     * AZURE_AUTHORITY_HOST, GCE_METADATA_HOST ...), then to the public clouds.
     */
    interface Identity {
        /**
         * Whether a HelmOciChart with a cloud provider and no spec.serviceAccountName may use the
         * operator's own cloud identity. Set false on multi-tenant clusters: then every such resource
         * must name a ServiceAccount of its own namespace (reason OperatorIdentityForbidden otherwise).
         */
        @WithDefault("true")
        boolean allowOperatorIdentity();

        /** Hosts besides the clouds' registry domains that may receive cloud credentials (private names of them). */
        Optional<java.util.List<String>> registryHosts();

        /** How long a requested ServiceAccount token lives (the API server's minimum is 10m). */
        @WithDefault("10m")
        Duration tokenExpiration();

        Aws aws();

        Azure azure();

        Gcp gcp();

        interface Aws {
            Optional<java.net.URI> stsEndpoint();

            Optional<java.net.URI> ecrEndpoint();

            /** For registry hosts that do not name a region. */
            Optional<String> region();
        }

        interface Azure {
            Optional<java.net.URI> authorityHost();

            /** When the ServiceAccount has no azure.workload.identity/tenant-id annotation (else AZURE_TENANT_ID). */
            Optional<String> tenantId();

            Optional<String> scope();
        }

        interface Gcp {
            Optional<String> metadataHost();

            Optional<java.net.URI> stsUrl();

            /** The workload identity pool provider audience (//iam.googleapis.com/projects/...) for ServiceAccount tokens. */
            Optional<String> audience();
        }
    }

    /**
     * Which HelmOciCharts this deployment reconciles (env HELMOCI_SHARDING_KEY), as Flux does: with a
     * key, only those labelled {@code sharding.helmoci.io/key=<key>}; without, only those without the
     * label. Several deployments with different keys (and one without) split a cluster's resources.
     */
    interface Sharding {
        Optional<String> key();
    }

    /**
     * How the operator shares registry answers between resources (env HELMOCI_REGISTRY_TAG_LIST_TTL,
     * HELMOCI_REGISTRY_MANIFEST_TTL). Answers are shared only between resources with the same
     * credentials; concurrent identical requests always share one.
     */
    interface Registry {
        /**
         * How long a repository's tag list serves every range resource of it. Default: half of
         * {@code helmoci.reconcile.min-interval}. A new version is seen at most this much later.
         */
        Optional<Duration> tagListTtl();

        /**
         * How long the digest a tag points to (a manifest HEAD) serves every resource naming that tag.
         * Default: half of {@code helmoci.reconcile.min-interval}. A moved tag is detected at most this
         * much later than the resource's interval (so within interval + ttl).
         */
        Optional<Duration> manifestTtl();

        /** Requests in flight at once to one registry host, for all resources together (0 = unlimited). */
        @WithDefault("10")
        int maxConcurrentRequests();

        /** Requests started per second to one registry host, for all resources together (0 = unlimited). */
        @WithDefault("50")
        double requestsPerSecond();

        /** How long a 429 without Retry-After (or RateLimit-Remaining: 0) pauses requests to that registry. */
        @WithDefault("30s")
        Duration defaultPause();
    }

    /** Fair use of the reconcile workers (env HELMOCI_RECONCILE_MAX_TIMEOUT and so on). */
    interface Reconcile {
        /**
         * Reconciliations at once against one registry (host[:port]); more wait, requeued within
         * seconds with Reconciling=True reason WaitingForCapacity. Keeps a slow registry from taking
         * every worker (java-operator-sdk runs 50 by default).
         */
        @WithDefault("10")
        int maxConcurrentPerRegistry();

        /** Reconciliations at once within one namespace, likewise. */
        @WithDefault("10")
        int maxConcurrentPerNamespace();

        /** The longest spec.timeout honoured; a longer one is lowered to this, and the status says so. */
        @WithDefault("5m")
        Duration maxTimeout();

        /** The shortest spec.interval honoured; a shorter one is raised to this, and the status says so. */
        @WithDefault("10s")
        Duration minInterval();

        /**
         * A new generation shows Reconciling=True only when its reconciliation takes longer than this
         * (env HELMOCI_RECONCILE_PROGRESS_AFTER): a quick one writes its result alone, one status write
         * instead of two. 0 shows it at once.
         */
        @WithDefault("2s")
        Duration progressAfter();
    }

    /**
     * Size limits for charts and tag lists (env HELMOCI_LIMITS_MAX_ARCHIVE_BYTES and so on); a failure
     * at a limit names the setting that raises it. Defaults: {@code ChartLimits.defaults()}.
     */
    interface Limits {
        /** Largest chart archive (.tgz) accepted, in bytes. */
        @WithDefault("20971520")
        long maxArchiveBytes();

        /** Largest decompressed file in a chart, in bytes (Helm's own limit: 5 MiB). */
        @WithDefault("5242880")
        long maxFileBytes();

        /** Largest decompressed chart, in bytes (Helm's own limit: 100 MiB). */
        @WithDefault("104857600")
        long maxTotalBytes();

        /** Most files and directories in a chart archive. */
        @WithDefault("10000")
        int maxEntries();

        /** Most tags read from a repository's tag list, over all its pages. */
        @WithDefault("50000")
        int maxTags();

        /** Most bytes read from a repository's tag list, over all its pages. */
        @WithDefault("16777216")
        long maxTagListBytes();
    }

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

        /**
         * Who may read artifacts and indexes: "open" (anyone who reaches the server) or "token" (per
         * namespace, only requests carrying the token of the namespace's Secret helm-oci-artifacts,
         * key token, as a Bearer token or a Basic-auth password).
         */
        @WithDefault("open")
        String access();
    }

    interface LeaderElection {
        /** The Lease that replicas compete for; only the holder reconciles, every replica serves artifacts. With a sharding key, {@code -<key>} is appended: each shard has its own leader. */
        @WithDefault("helm-oci-operator-leader")
        String leaseName();

        /** Where the Lease lives; defaults to the operator's own namespace when running in a pod. */
        Optional<String> leaseNamespace();

        /**
         * How long a Lease holds without renewal before another replica may take it (java-operator-sdk's and
         * controller-runtime's default). On a CPU-starved node raise it with {@link #renewDeadline()} (Flux uses
         * 35s/30s/5s): a leader that cannot renew in time exits so that two never reconcile at once.
         */
        @WithDefault("15s")
        Duration leaseDuration();

        /** How long the leader keeps trying to renew before it gives the Lease up (and exits); below leaseDuration. */
        @WithDefault("10s")
        Duration renewDeadline();

        /** How often the leader renews and a standby replica tries to acquire (the Lease writes in steady state). */
        @WithDefault("2s")
        Duration retryPeriod();
    }

    interface Store {
        /** The directory of the content-addressed chart store (a writable volume in the Deployment). */
        Path path();
    }
}
