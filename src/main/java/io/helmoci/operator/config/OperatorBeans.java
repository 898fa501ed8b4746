package io.helmoci.operator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.operator.artifacts.ArtifactRetention;
import io.helmoci.operator.artifacts.ArtifactUrls;
import io.helmoci.operator.events.EventRecorder;
import io.helmoci.operator.events.KubernetesEventRecorder;
import io.helmoci.operator.reconciler.ChartSync;
import io.helmoci.operator.source.ChartSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import io.quarkus.arc.Unremovable;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;

import java.time.Clock;

/** Wires the plain classes of the operator into CDI; they take everything through constructors so tests can build them. */
@ApplicationScoped
public class OperatorBeans {

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
        return new LeaderElectionConfiguration(config.leaderElection().leaseName(),
                config.leaderElection().leaseNamespace().orElse(null));
    }

    @Produces
    @ApplicationScoped
    ArtifactRetention artifactRetention(OperatorConfig config) {
        return new ArtifactRetention(config.artifacts().retention());
    }

    @Produces
    @ApplicationScoped
    ChartSync chartSync(ChartSource source, ArtifactUrls urls, ArtifactRetention retention, EventRecorder events) {
        return new ChartSync(source, urls, retention, events, Clock.systemUTC());
    }
}
