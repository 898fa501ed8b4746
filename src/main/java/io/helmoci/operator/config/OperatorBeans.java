package io.helmoci.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.events.KubernetesEventRecorder;
import io.helmoci.operator.fairness.ReconcileDurations;
import io.helmoci.operator.fairness.WorkLimiter;
import io.helmoci.operator.flux.ExternalArtifactCrd;
import io.helmoci.operator.flux.FluxExternalArtifacts;
import io.helmoci.operator.identity.WorkloadIdentity;
import io.helmoci.operator.reconciler.ChartSync;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartSource;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.quarkus.arc.Unremovable;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/** Wires the plain classes of the operator into CDI; they take everything through constructors so tests can build them. */
@ApplicationScoped
public class OperatorBeans {
    private static final Logger LOG = Logger.getLogger(OperatorBeans.class);

    @Produces
    @ApplicationScoped
    ArtifactUrls artifactUrls(OperatorConfig config) {
        return new ArtifactUrls(config.artifacts().baseUrl());
    }

    @Produces
    @ApplicationScoped
    EventRecorder eventRecorder(KubernetesClient client) {
        return new KubernetesEventRecorder(client);
    }

    /** Picked up by QOSDK; active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles). */
    @Produces
    @Singleton
    @Unremovable // looked up by QOSDK, injected nowhere
    LeaderElectionConfiguration leaderElection(OperatorConfig config) {
        // java-operator-sdk 5.2.1 calls System.exit when it stops leading, also from the JVM shutdown hook
        // where System.exit blocks forever (java-operator-sdk#1614): SIGTERM or Ctrl-C never ended the
        // process. So we exit on a lost lease ourselves, as it would, but not while already shutting down.
        // Each shard elects its own leader: the lease name carries the shard key.
        String lease = config.leaderElection().leaseName()
                + config.sharding()
                        .key()
                        .map(String::trim)
                        .filter(k -> !k.isEmpty())
                        .map(k -> "-" + k)
                        .orElse("");
        return new LeaderElectionConfiguration(
                lease,
                config.leaderElection().leaseNamespace().orElse(null),
                config.leaderElection().leaseDuration(),
                config.leaderElection().renewDeadline(),
                config.leaderElection().retryPeriod(),
                null,
                new LeaderCallbacks(() -> {}, OperatorBeans::exitUnlessShuttingDown, newLeader -> {}),
                false);
    }

    /** A replica that lost its lease must stop reconciling at once: another one leads now. */
    private static void exitUnlessShuttingDown() {
        Thread probe = new Thread(() -> {});
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
        } catch (IllegalStateException shutdownInProgress) {
            return;
        }
        LOG.warn(
                "Lost the leader lease: exiting so that only the new leader reconciles; the next start competes for the lease again");
        System.exit(1);
    }

    @Produces
    @ApplicationScoped
    ArtifactRetention artifactRetention(OperatorConfig config) {
        return new ArtifactRetention(config.artifacts().retention());
    }

    @Produces
    @ApplicationScoped
    ChartSync chartSync(
            ChartSource source,
            ArtifactStore store,
            ArtifactUrls urls,
            ArtifactRetention retention,
            EventRecorder events,
            OperatorConfig config,
            KubernetesClient client,
            WorkloadIdentity identity) {
        return new ChartSync(
                source,
                store,
                urls,
                retention,
                events,
                Clock.systemUTC(),
                reconcileDurations(config),
                identity,
                new FluxExternalArtifacts(
                        client,
                        new ExternalArtifactCrd(
                                client, config.externalArtifacts().crdCheckInterval(), Clock.systemUTC()),
                        config.externalArtifacts().all()));
    }

    static ReconcileDurations reconcileDurations(OperatorConfig config) {
        return new ReconcileDurations(
                config.reconcile().minInterval(),
                "the operator's minimum, helmoci.reconcile.min-interval",
                ReconcileDurations.MIN_TIMEOUT,
                config.reconcile().maxTimeout(),
                "the operator's maximum, helmoci.reconcile.max-timeout");
    }

    /** Shares the reconcile workers fairly between registries and namespaces. */
    @Produces
    @ApplicationScoped
    WorkLimiter workLimiter(OperatorConfig config) {
        return new WorkLimiter(
                config.reconcile().maxConcurrentPerRegistry(),
                config.reconcile().maxConcurrentPerNamespace(),
                "the operator setting helmoci.reconcile.max-concurrent-per-registry",
                "the operator setting helmoci.reconcile.max-concurrent-per-namespace");
    }
}
