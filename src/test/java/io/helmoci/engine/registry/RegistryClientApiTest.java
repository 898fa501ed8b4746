package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.engine.registry.TransportFixtures.plain;
import static io.helmoci.engine.registry.TransportFixtures.ref;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** Registry API edge cases real registries do not show on demand: pagination, missing headers, lying servers. */
class RegistryClientApiTest {
    private static final String MANIFEST = "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" + MediaTypes.HELM_CONFIG
            + "\",\"digest\":\"sha256:" + "c".repeat(64) + "\",\"size\":10},\"layers\":[]}";

    @AutoClose
    private final RegistryTransport transport = new RegistryTransport();

    @AutoClose
    private ScriptedHttpServer server;

    @AutoClose
    private ScriptedHttpServer other;

    private RegistryClient client() {
        return transport.open(plain(Credentials.anonymous()));
    }

    @Test
    void followsRelativeLinkPages() {
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.query() == null) {
                respond(
                        ex,
                        200,
                        Map.of(
                                "Content-Type",
                                "application/json",
                                "Link",
                                "</v2/charts/app/tags/list?last=1.1.0&n=2>; rel=\"next\""),
                        "{\"tags\":[\"1.0.0\",\"1.1.0\"]}");
            } else if (req.query().equals("last=1.1.0&n=2")) {
                respond(
                        ex,
                        200,
                        Map.of("Content-Type", "application/json", "Link", "<list?last=2.0.0&n=2>; rel=\"next\""),
                        "{\"tags\":[\"2.0.0\"]}");
            } else {
                respond(ex, 200, JSON, "{\"tags\":null}");
            }
        });

        assertThat(client().listTags(ref(server))).containsExactly("1.0.0", "1.1.0", "2.0.0");
        assertThat(server.requests())
                .extracting(ScriptedHttpServer.Received::query)
                .containsExactly(null, "last=1.1.0&n=2", "last=2.0.0&n=2");
    }

    @Test
    void refusesPageLinksToAnotherHost() {
        other = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, JSON, "{\"tags\":[\"evil\"]}"));
        server = ScriptedHttpServer.start((ex, req) -> respond(
                ex,
                200,
                Map.of(
                        "Content-Type",
                        "application/json",
                        "Link",
                        "<" + other.url() + "/v2/x/tags/list>; rel=\"next\""),
                "{\"tags\":[\"1.0.0\"]}"));

        failure(Reason.RegistryUnavailable, () -> client().listTags(ref(server)));
        assertThat(other.requests()).isEmpty();
    }

    @Test
    void capsATagPage() {
        byte[] huge = ("{\"tags\":[\"" + "a".repeat(RegistryClient.MAX_METADATA_BYTES) + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, JSON, huge));

        failure(Reason.TagListTooLarge, () -> client().listTags(ref(server)));
    }

    @Test
    void aHeadWithoutDigestFallsBackToOneGet() {
        byte[] manifest = MANIFEST.getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), manifest));

        RegistryClient client = client();
        Descriptor head = client.headManifest(ref(server), "1.0.0");
        RegistryClient.ManifestContent content = client.getManifest(ref(server), head);

        assertThat(head.digest()).isEqualTo(Digest.sha256(manifest).toString());
        assertThat(head.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(head.size()).isEqualTo(manifest.length);
        assertThat(content.bytes()).isEqualTo(manifest);
        assertThat(server.requests())
                .extracting(ScriptedHttpServer.Received::method)
                .containsExactly("HEAD", "GET");
        assertThat(server.requests())
                .allSatisfy(r -> assertThat(r.header("Accept"))
                        .contains(
                                MediaTypes.OCI_MANIFEST,
                                MediaTypes.OCI_INDEX,
                                MediaTypes.DOCKER_MANIFEST,
                                MediaTypes.DOCKER_MANIFEST_LIST,
                                MediaTypes.OCI_ARTIFACT_MANIFEST));
    }

    @Test
    void aManifestWhoseBytesDoNotMatchItsDigestIsDigestMismatch() {
        byte[] manifest = MANIFEST.getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST), manifest));
        Descriptor claimed = new Descriptor(MediaTypes.OCI_MANIFEST, "sha256:" + "d".repeat(64), manifest.length);

        failure(Reason.DigestMismatch, () -> client().getManifest(ref(server), claimed));
        // a Docker-Content-Digest that lies on HEAD is caught by the GET by that digest
        server.close();
        server = ScriptedHttpServer.start((ex, req) -> respond(
                ex,
                200,
                Map.of("Content-Type", MediaTypes.OCI_MANIFEST, "Docker-Content-Digest", claimed.digest()),
                manifest));
        RegistryClient client = client();
        Descriptor head = client.headManifest(ref(server), "1.0.0");
        assertThat(head.digest()).isEqualTo(claimed.digest());
        failure(Reason.DigestMismatch, () -> client.getManifest(ref(server), head));
    }

    @Test
    void aContentTypeThatContradictsTheBodyIsUnsupportedManifest() {
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}")
                .getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start((ex, req) ->
                respond(ex, 200, Map.of("Content-Type", MediaTypes.OCI_MANIFEST + "; charset=utf-8"), manifest));
        Descriptor descriptor =
                new Descriptor(MediaTypes.OCI_MANIFEST, Digest.sha256(manifest).toString(), manifest.length);

        EngineException e = failure(
                Reason.UnsupportedManifest,
                () -> new ManifestResolver(client(), null).resolve(ref(server), descriptor));

        assertThat(e.getMessage()).contains(MediaTypes.OCI_INDEX, MediaTypes.OCI_MANIFEST);
    }

    @Test
    void aBlobWhoseContentLengthDisagreesIsSizeMismatchBeforeReading() {
        byte[] blob = "12345".getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, Map.of(), blob));
        Descriptor descriptor = new Descriptor("x", Digest.sha256(blob).toString(), 4);

        failure(Reason.SizeMismatch, () -> client().openBlob(ref(server), descriptor));
        failure(Reason.SizeMismatch, () -> client().readBlob(ref(server), descriptor, 1024));
    }

    @Test
    void registryErrorBodiesBecomeMessagesAndReasons() {
        Map<String, String> bodies = new HashMap<>();
        bodies.put(
                "/v2/gone/app/tags/list",
                "404 {\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}");
        bodies.put(
                "/v2/secret/app/tags/list",
                "403 {\"errors\":[{\"code\":\"DENIED\",\"message\":\"requested access to the resource is denied\"}]}");
        bodies.put("/v2/weird/app/tags/list", "400 <html>bad request</html>");
        server = ScriptedHttpServer.start((ex, req) -> {
            String[] statusBody = bodies.get(req.path()).split(" ", 2);
            respond(ex, Integer.parseInt(statusBody[0]), JSON, statusBody[1]);
        });

        EngineException gone = failure(
                Reason.RepositoryNotFound,
                () -> client().listTags(new io.helmoci.engine.reference.OciReference(
                        server.hostPort(), "gone/app", null, null)));
        assertThat(gone.getMessage()).contains("NAME_UNKNOWN: repository name not known to registry", "gone/app");
        EngineException secret = failure(
                Reason.Forbidden,
                () -> client().listTags(new io.helmoci.engine.reference.OciReference(
                        server.hostPort(), "secret/app", null, null)));
        assertThat(secret.getMessage()).contains("DENIED");
        EngineException weird = failure(
                Reason.RegistryUnavailable,
                () -> client().listTags(new io.helmoci.engine.reference.OciReference(
                        server.hostPort(), "weird/app", null, null)));
        assertThat(weird.getMessage()).contains("HTTP 400");
    }

    @Test
    void aMissingTagListsTheNearestVersions() {
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.path().endsWith("/tags/list")) {
                respond(ex, 200, JSON, "{\"tags\":[\"0.9.0\",\"1.0.0\",\"1.2.0\",\"latest\"]}");
            } else {
                respond(ex, 404, JSON, (byte[]) null);
            }
        });

        EngineException e = failure(Reason.VersionNotFound, () -> client().headManifest(ref(server), "1.1.0"));

        assertThat(e.getMessage()).contains("1.1.0", "1.2.0", "1.0.0");
        assertThat(server.requests())
                .extracting(ScriptedHttpServer.Received::method)
                .containsExactly("HEAD", "GET");
    }
}
