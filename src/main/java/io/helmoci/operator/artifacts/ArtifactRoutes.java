package io.helmoci.operator.artifacts;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.helmoci.operator.ReconcileException;
import io.helmoci.operator.api.v1alpha1.HelmOciChart;
import io.helmoci.operator.config.OperatorConfig;
import io.helmoci.operator.credentials.ClientObjectLookup;
import io.helmoci.operator.source.ArtifactStore;
import io.helmoci.operator.source.ChartSource;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The artifact server on the application's HTTP port:
 * {@code GET|HEAD /artifacts/<namespace>/<name>/<chart>-<version>.tgz} and
 * {@code GET /charts/<namespace>/index.yaml}. Reads HelmOciCharts from the API server, so every
 * replica serves, leader or not.
 */
@ApplicationScoped
public class ArtifactRoutes {
    public static final String DIGEST_HEADER = "X-Content-Digest";
    private static final Logger LOG = Logger.getLogger(ArtifactRoutes.class);
    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

    private final KubernetesClient client;
    private final ArtifactService artifacts;
    private final ArtifactAccess access;

    public ArtifactRoutes(KubernetesClient client, ChartSource source, ArtifactStore store, OperatorConfig config) {
        this.client = client;
        this.artifacts = new ArtifactService(source, store, new ClientObjectLookup(client), Clock.systemUTC());
        this.access = new ArtifactAccess(accessMode(config.artifacts().access()), new ClientObjectLookup(client));
    }

    private static ArtifactAccess.Mode accessMode(String setting) {
        try {
            return ArtifactAccess.Mode.valueOf(setting.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("helmoci.artifacts.access must be open or token, not '" + setting + "'");
        }
    }

    /** False (and the answer sent) when the request may not read the namespace. */
    private boolean permitted(RoutingContext ctx, String namespace) {
        if (access.mode() == ArtifactAccess.Mode.OPEN
                || (DNS_NAME.matcher(namespace).matches()
                        && access.allows(namespace, ctx.request().getHeader(HttpHeaders.AUTHORIZATION)))) {
            return true;
        }
        ctx.response()
                .setStatusCode(401)
                .putHeader("WWW-Authenticate", "Basic realm=\"helm-oci-operator " + namespace + "\"")
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end("Give the token of Secret " + ArtifactAccess.SECRET_NAME + " in namespace " + namespace
                        + " as a Bearer token or a Basic-auth password.\n");
        return false;
    }

    void register(@Observes Router router) {
        router.route(ArtifactUrls.ARTIFACTS + "/:namespace/:name/:file")
                .method(HttpMethod.GET)
                .method(HttpMethod.HEAD)
                .blockingHandler(this::artifact, false);
        router.get(ArtifactUrls.CHARTS + "/:namespace/" + ArtifactUrls.INDEX).blockingHandler(this::index, false);
    }

    private void artifact(RoutingContext ctx) {
        String namespace = ctx.pathParam("namespace");
        String name = ctx.pathParam("name");
        String file = ctx.pathParam("file");
        if (!permitted(ctx, namespace)) {
            return;
        }
        Optional<HelmOciChart> chart = read(namespace, name);
        if (chart.isEmpty()) {
            notFound(ctx, "No HelmOciChart " + namespace + "/" + name + ".");
            return;
        }
        Optional<ArtifactService.ServedArtifact> found;
        try {
            found = artifacts.find(chart.get(), file);
        } catch (ReconcileException e) {
            LOG.infof("Could not fetch the artifact of %s/%s again: %s", namespace, name, e.getMessage());
            ctx.response()
                    .setStatusCode(503)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .end(e.reason() + ": " + e.getMessage() + "\n");
            return;
        }
        if (found.isEmpty()) {
            notFound(
                    ctx,
                    "HelmOciChart " + namespace + "/" + name + " publishes no " + file
                            + "; its status.artifact.url names the current archive (superseded ones are served only for a short retention).");
            return;
        }
        ArtifactService.ServedArtifact artifact = found.get();
        String etag = "\"" + artifact.digest() + "\"";
        var response = ctx.response()
                .putHeader(HttpHeaders.ETAG, etag)
                .putHeader(DIGEST_HEADER, artifact.digest())
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
        if (HttpConditions.noneMatchHits(ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
            response.setStatusCode(304).end();
            return;
        }
        response.putHeader(HttpHeaders.CONTENT_TYPE, "application/gzip")
                .putHeader(HttpHeaders.ACCEPT_RANGES, "bytes")
                .putHeader("Content-Disposition", "attachment; filename=\"" + file + "\"");
        HttpConditions.RangeDecision range = HttpConditions.range(
                ctx.request().getHeader("Range"), ctx.request().getHeader("If-Range"), etag, artifact.size());
        if (range.unsatisfiable()) {
            response.setStatusCode(416)
                    .putHeader(HttpHeaders.CONTENT_RANGE, "bytes */" + artifact.size())
                    .end();
            return;
        }
        long offset = range.range().map(HttpConditions.ByteRange::first).orElse(0L);
        long length = range.range().map(HttpConditions.ByteRange::length).orElse(artifact.size());
        range.range()
                .ifPresent(r -> response.setStatusCode(206)
                        .putHeader(HttpHeaders.CONTENT_RANGE, r.contentRange(artifact.size())));
        if (ctx.request().method() == HttpMethod.HEAD) {
            response.putHeader(HttpHeaders.CONTENT_LENGTH, Long.toString(length))
                    .end();
        } else {
            response.sendFile(artifact.path().toString(), offset, length);
        }
    }

    private void index(RoutingContext ctx) {
        String namespace = ctx.pathParam("namespace");
        if (!DNS_NAME.matcher(namespace).matches()) {
            notFound(ctx, "No namespace " + namespace + ".");
            return;
        }
        if (!permitted(ctx, namespace)) {
            return;
        }
        var charts = client.resources(HelmOciChart.class)
                .inNamespace(namespace)
                .list()
                .getItems();
        String yaml = HelmRepositoryIndex.render(
                charts, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        ctx.response()
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .end(yaml);
    }

    private Optional<HelmOciChart> read(String namespace, String name) {
        if (!DNS_NAME.matcher(namespace).matches() || !DNS_NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.ofNullable(client.resources(HelmOciChart.class)
                .inNamespace(namespace)
                .withName(name)
                .get());
    }

    private static void notFound(RoutingContext ctx, String message) {
        ctx.response()
                .setStatusCode(404)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
                .end(message + "\n");
    }
}
