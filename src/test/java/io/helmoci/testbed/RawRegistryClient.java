package io.helmoci.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Talks to a registry over its HTTP API with java.net.http (deliberately not OkHttp, so the engine's
 * HTTP stack is never tested against itself), to write exactly the blobs and manifests a test needs
 * and read back what the registry serves. Handles Basic and Bearer challenges like a Docker client:
 * on a 401 it follows {@code WWW-Authenticate} (fetching a token from the realm with the credentials,
 * if any) and retries once; tokens are cached per scope.
 */
public final class RawRegistryClient {
    public static final String MANIFEST_ACCEPT = String.join(
            ", ",
            OciManifests.DOCKER_MANIFEST,
            OciManifests.DOCKER_MANIFEST_LIST,
            OciManifests.OCI_MANIFEST,
            OciManifests.OCI_INDEX);
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern REPO_PATH = Pattern.compile("^/v2/(.+)/(manifests|blobs|tags|referrers)/.*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryFixture registry;
    private final String basicCredentials;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();

    /** A response, body fully read. */
    public record Response(int status, HttpHeaders headers, byte[] body) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String dockerContentDigest() {
            return header("Docker-Content-Digest");
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException("not JSON (" + status + "): " + text(), e);
            }
        }

        @Override
        public String toString() {
            return "HTTP " + status + " " + text();
        }
    }

    /** How {@link #pushChart} writes the chart manifest. */
    public enum ChartManifestStyle {
        /** As helm push: OCI manifest without a {@code mediaType} field, PUT as {@code application/vnd.oci.image.manifest.v1+json}. */
        HELM,
        /** OCI manifest with {@code "mediaType": "application/vnd.oci.image.manifest.v1+json"} in the body. */
        OCI_WITH_MEDIA_TYPE,
        /** Docker schema2 ({@code application/vnd.docker.distribution.manifest.v2+json}) with Helm's config and layer types, which Helm cannot pull. */
        DOCKER_SCHEMA2
    }

    private RawRegistryClient(RegistryFixture registry, String username, String password) {
        this.registry = registry;
        this.basicCredentials = username == null
                ? null
                : "Basic "
                        + Base64.getEncoder()
                                .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public static RawRegistryClient anonymous(RegistryFixture registry) {
        return new RawRegistryClient(registry, null, null);
    }

    public static RawRegistryClient withCredentials(RegistryFixture registry, String username, String password) {
        return new RawRegistryClient(registry, username, password);
    }

    // ----- raw HTTP

    /** Sends {@code method path} (path from {@code /v2/...}, or an absolute URL), answering one auth challenge. */
    public Response send(String method, String path, Map<String, String> headers, byte[] body) {
        URI uri = path.startsWith("http") ? URI.create(path) : URI.create(registry.baseUrl() + path);
        String scope = scopeFor(method, uri.getPath());
        Response response = exchange(method, uri, headers, body, authorizationFor(scope));
        if (response.status() == 401) {
            String challenge = response.header("WWW-Authenticate");
            String authorization = answer(challenge, scope);
            if (authorization != null) {
                response = exchange(method, uri, headers, body, authorization);
            }
        }
        return response;
    }

    public Response get(String path, Map<String, String> headers) {
        return send("GET", path, headers, null);
    }

    // ----- blobs

    /** Monolithic upload (POST, then PUT with the digest); fails the test unless the registry answers 201. */
    public Descriptor pushBlob(String repository, String mediaType, byte[] content) {
        Descriptor descriptor = Descriptor.of(mediaType, content);
        Response response = uploadBlob(repository, descriptor.digest(), content);
        require(response, 201, "blob upload to " + repository);
        return descriptor;
    }

    /** Uploads {@code content} claiming {@code digest} (which may be wrong, to see the registry refuse it). */
    public Response uploadBlob(String repository, String digest, byte[] content) {
        Response started = send("POST", "/v2/" + repository + "/blobs/uploads/", Map.of(), null);
        if (started.status() != 202) {
            return started;
        }
        String location = started.header("Location");
        String url = location.startsWith("http") ? location : registry.baseUrl() + location;
        url += (url.contains("?") ? "&" : "?") + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8);
        return send("PUT", url, Map.of("Content-Type", "application/octet-stream"), content);
    }

    public Response getBlob(String repository, String digest) {
        return get("/v2/" + repository + "/blobs/" + digest, Map.of());
    }

    // ----- manifests and tags

    /** PUT a manifest as given, with {@code contentType}; returns the response whatever it is. */
    public Response putManifest(String repository, String reference, String contentType, byte[] manifest) {
        return send(
                "PUT", "/v2/" + repository + "/manifests/" + reference, Map.of("Content-Type", contentType), manifest);
    }

    /** PUT a manifest and require 201; returns its descriptor (media type = the Content-Type used). */
    public Descriptor pushManifest(String repository, String reference, String contentType, byte[] manifest) {
        Response response = require(
                putManifest(repository, reference, contentType, manifest),
                201,
                "manifest PUT " + repository + ":" + reference);
        Descriptor descriptor = Descriptor.of(contentType, manifest);
        if (!descriptor.digest().equals(response.dockerContentDigest())) {
            throw new IllegalStateException(
                    "registry digest " + response.dockerContentDigest() + " != " + descriptor.digest());
        }
        return descriptor;
    }

    public Response getManifest(String repository, String reference) {
        return get("/v2/" + repository + "/manifests/" + reference, Map.of("Accept", MANIFEST_ACCEPT));
    }

    /** HEAD the manifest and return its {@code Docker-Content-Digest}; fails unless 200. */
    public String headManifestDigest(String repository, String reference) {
        Response response = require(
                send("HEAD", "/v2/" + repository + "/manifests/" + reference, Map.of("Accept", MANIFEST_ACCEPT), null),
                200,
                "manifest HEAD " + repository + ":" + reference);
        return response.dockerContentDigest();
    }

    public Response deleteManifest(String repository, String digest) {
        return send("DELETE", "/v2/" + repository + "/manifests/" + digest, Map.of(), null);
    }

    /** All tags (first page: the registries here return everything when no {@code n} is given). */
    public List<String> tags(String repository) {
        JsonNode tags = require(get("/v2/" + repository + "/tags/list", Map.of()), 200, "tags of " + repository)
                .json()
                .path("tags");
        List<String> result = new ArrayList<>();
        tags.forEach(t -> result.add(t.asText()));
        return result;
    }

    // ----- whole artifacts

    /** Pushes a packaged chart as {@code repository:tag} (config = Chart.yaml as JSON), in the given manifest style. */
    public Descriptor pushChart(String repository, String tag, Path chartTgz, ChartManifestStyle style) {
        byte[] chart;
        try {
            chart = Files.readAllBytes(chartTgz);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Descriptor config = pushBlob(repository, OciManifests.HELM_CONFIG, ChartFactory.helmConfigJson(chartTgz));
        Descriptor layer = pushBlob(repository, OciManifests.HELM_CHART, chart);
        String type =
                style == ChartManifestStyle.DOCKER_SCHEMA2 ? OciManifests.DOCKER_MANIFEST : OciManifests.OCI_MANIFEST;
        byte[] manifest = OciManifests.manifest(
                style == ChartManifestStyle.HELM ? null : type, null, config, List.of(layer), Map.of());
        return pushManifest(repository, tag, type, manifest);
    }

    /** Pushes an OCI image index over the given (already pushed) manifests as {@code repository:tag}. */
    public Descriptor pushIndex(String repository, String tag, List<Descriptor> manifests) {
        return pushManifest(
                repository,
                tag,
                OciManifests.OCI_INDEX,
                OciManifests.index(OciManifests.OCI_INDEX, manifests, Map.of()));
    }

    /** Pushes a small linux/amd64 container image (OCI config, one tar+gzip layer) as {@code repository:tag}. */
    public Descriptor pushContainerImage(String repository, String tag) {
        byte[] tar = tarOf("hello.txt", "hello from the test bed\n".getBytes(StandardCharsets.UTF_8));
        Descriptor layer = pushBlob(repository, OciManifests.OCI_LAYER_GZIP, gzip(tar));
        Map<String, Object> imageConfig = new LinkedHashMap<>();
        imageConfig.put("architecture", "amd64");
        imageConfig.put("os", "linux");
        imageConfig.put("config", Map.of());
        imageConfig.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(Digests.sha256(tar))));
        Descriptor config;
        try {
            config = pushBlob(repository, OciManifests.OCI_IMAGE_CONFIG, JSON.writeValueAsBytes(imageConfig));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pushManifest(
                repository,
                tag,
                OciManifests.OCI_MANIFEST,
                OciManifests.manifest(OciManifests.OCI_MANIFEST, null, config, List.of(layer), Map.of()));
    }

    // ----- auth

    /**
     * A bearer token for {@code scope} (e.g. {@code repository:charts/a:pull,push}) straight from the
     * fixture's token server, with this client's credentials.
     */
    public String bearerToken(String scope) {
        TokenServer server = registry.tokenServer();
        String token = fetchToken(server.realm().toString(), server.service(), scope);
        if (token == null) {
            throw new IllegalStateException("the token server refused scope " + scope);
        }
        return token;
    }

    private String authorizationFor(String scope) {
        if (registry.authMode() == RegistryFixture.AuthMode.BASIC) {
            return basicCredentials;
        }
        String token = scope == null ? null : tokens.get(scope);
        return token == null ? null : "Bearer " + token;
    }

    private String answer(String challenge, String expectedScope) {
        if (challenge == null) {
            return null;
        }
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return basicCredentials;
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String scope = params.get("scope");
        String token = fetchToken(params.get("realm"), params.get("service"), scope);
        if (token == null) {
            return null;
        }
        if (scope != null) {
            tokens.put(scope, token);
        }
        if (expectedScope != null) {
            tokens.put(expectedScope, token);
        }
        return "Bearer " + token;
    }

    /** GET {@code realm?service=&scope=}, Basic credentials if any; null unless 200. */
    private String fetchToken(String realm, String service, String scope) {
        StringBuilder url =
                new StringBuilder(realm).append("?service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
        if (scope != null) {
            for (String s : scope.split(" ")) {
                url.append("&scope=").append(URLEncoder.encode(s, StandardCharsets.UTF_8));
            }
        }
        Response response = exchange("GET", URI.create(url.toString()), Map.of(), null, basicCredentials);
        if (response.status() != 200) {
            return null;
        }
        JsonNode json = response.json();
        return json.hasNonNull("access_token")
                ? json.get("access_token").asText()
                : json.path("token").asText(null);
    }

    /** The scope a Docker client would need for this request, to reuse a cached token without a new challenge. */
    private static String scopeFor(String method, String path) {
        Matcher m = REPO_PATH.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String actions = switch (method) {
            case "GET", "HEAD" -> "pull";
            case "DELETE" -> "delete";
            default -> "pull,push";
        };
        return "repository:" + m.group(1) + ":" + actions;
    }

    private Response exchange(String method, URI uri, Map<String, String> headers, byte[] body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        body == null
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        request.header("User-Agent", "helmoci-testbed-raw-client");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response =
                    registry.httpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Response require(Response response, int status, String what) {
        if (response.status() != status) {
            throw new IllegalStateException(what + " answered " + response + " (expected " + status + ")");
        }
        return response;
    }

    private static byte[] tarOf(String name, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
