package io.helmoci.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.store.ContentStore;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolves a tag or digest to a Helm chart: HEAD for the digest, the manifest by digest (from the
 * content store when already there, else GET), an OCI image index unwrapped to its single chart
 * manifest, the media types checked, and the config blob fetched and parsed.
 *
 * <p>The HEAD is always sent, even when everything is cached: it proves, with the caller's own
 * credentials, that the repository still serves this digest to them, so a store shared by
 * several tenants never hands content to a caller who cannot read it. Everything after it is
 * addressed by digest and immutable, hence served from the store when possible.
 */
public final class ManifestResolver {
    /** Index children fetched at most to find the chart when entries carry no {@code artifactType}. */
    static final int MAX_INDEX_CHILDREN = 32;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryClient client;
    private final ContentStore cache;

    /** @param cache where verified manifests and configs are kept between operations; may be null */
    public ManifestResolver(RegistryClient client, ContentStore cache) {
        this.client = client;
        this.cache = cache;
    }

    /** The root manifest descriptor for a tag or digest (one HEAD). */
    public Descriptor head(OciReference ref, String tagOrDigest) {
        return client.headManifest(ref, tagOrDigest);
    }

    /** Resolves the chart a root descriptor (from {@link #head}) points to. */
    public ChartManifest resolve(OciReference ref, Descriptor root) {
        Manifest manifest = load(ref, root);
        List<String> warnings = new ArrayList<>();
        Manifest chartManifest = manifest;
        if (MediaTypes.OCI_INDEX.equals(manifest.mediaType)) {
            chartManifest = chartInIndex(ref, manifest);
            warnings.add("The reference points to an OCI image index (" + root.digest() + "); its chart manifest "
                    + chartManifest.digest + " was used.");
        }
        return analyse(ref, manifest, chartManifest, warnings);
    }

    private ChartManifest analyse(OciReference ref, Manifest root, Manifest manifest, List<String> warnings) {
        refuseNonChartTypes(ref, manifest);
        Descriptor config = manifest.config();
        List<Descriptor> layers = manifest.layers();
        if (config == null) {
            throw unsupported(ref, manifest, "it has no config descriptor");
        }
        if (MediaTypes.isContainerConfig(config.mediaType())) {
            throw notAChart(
                    ref, manifest, config, layers, "It is a container image (config " + config.mediaType() + ").");
        }
        if (!MediaTypes.HELM_CONFIG.equals(config.mediaType())) {
            throw notAChart(ref, manifest, config, layers, "Its config media type is not the Helm config type.");
        }
        List<Descriptor> charts = layers.stream()
                .filter(l -> MediaTypes.HELM_CHART.equals(l.mediaType()))
                .toList();
        if (charts.isEmpty()) {
            charts = layers.stream()
                    .filter(l -> MediaTypes.LEGACY_CHART.equals(l.mediaType()))
                    .toList();
            if (charts.size() == 1) {
                warnings.add("The chart layer has the deprecated media type " + MediaTypes.LEGACY_CHART
                        + " (Helm 3.0-3.6); push the chart again with a current 'helm push'.");
            }
        }
        if (charts.isEmpty()) {
            throw notAChart(ref, manifest, config, layers, "It has no layer of type " + MediaTypes.HELM_CHART + ".");
        }
        if (charts.size() > 1) {
            throw unsupported(
                    ref, manifest, "it has " + charts.size() + " chart layers, so which one is the chart is ambiguous");
        }
        Descriptor chartLayer = charts.get(0);
        checkDescriptor(ref, manifest, chartLayer);
        ChartMetadata metadata = ChartMetadata.fromConfigJson(configBytes(ref, manifest, config));
        return new ChartManifest(
                root.digest, root.mediaType, manifest.digest, config, layers, chartLayer, metadata, warnings);
    }

    private byte[] configBytes(OciReference ref, Manifest manifest, Descriptor config) {
        checkDescriptor(ref, manifest, config);
        Digest digest = config.parsedDigest();
        if (cache != null) {
            var cached = cache.readSmall(digest, config.size(), RegistryClient.MAX_METADATA_BYTES);
            if (cached.isPresent()) {
                return cached.get();
            }
        }
        byte[] bytes = client.readBlob(ref, config, RegistryClient.MAX_METADATA_BYTES);
        if (cache != null) {
            cache.put(digest, bytes);
        }
        return bytes;
    }

    /** Docker and legacy shapes that can never hold a chart Helm can pull: say what they are. */
    private void refuseNonChartTypes(OciReference ref, Manifest manifest) {
        String type = manifest.mediaType;
        if (MediaTypes.DOCKER_MANIFEST.equals(type)) {
            Descriptor config = manifest.config();
            if (config != null && MediaTypes.HELM_CONFIG.equals(config.mediaType())) {
                throw unsupported(
                        ref,
                        manifest,
                        "it is a Docker schema 2 manifest holding a Helm config; Helm only pulls charts "
                                + "from OCI image manifests");
            }
            throw notAChart(
                    ref,
                    manifest,
                    config,
                    manifest.layers(),
                    "It is a container image (Docker schema 2 manifest"
                            + (config == null ? "" : ", config " + config.mediaType()) + ").");
        }
        if (MediaTypes.DOCKER_MANIFEST_LIST.equals(type)) {
            throw notAChart(
                    ref, manifest, null, List.of(), "It is a multi-platform container image (Docker manifest list).");
        }
        if (MediaTypes.DOCKER_SCHEMA1.equals(type) || MediaTypes.DOCKER_SCHEMA1_SIGNED.equals(type)) {
            throw unsupported(
                    ref, manifest, "it is a Docker schema 1 image manifest, a format that cannot hold a Helm chart");
        }
        if (!MediaTypes.OCI_MANIFEST.equals(type)) {
            throw unsupported(
                    ref,
                    manifest,
                    "its media type " + (type == null ? "(none)" : type) + " is not an OCI image manifest");
        }
        JsonNode schema = manifest.json.get("schemaVersion");
        if (schema == null || schema.asInt() != 2) {
            throw unsupported(ref, manifest, "its schemaVersion is not 2");
        }
    }

    /**
     * The one chart manifest of an index: by {@code artifactType}, else by fetching each child
     * manifest and reading its config media type. Platforms are ignored.
     */
    private Manifest chartInIndex(OciReference ref, Manifest index) {
        List<Descriptor> children = index.descriptors("manifests");
        List<Descriptor> byArtifactType = children.stream()
                .filter(c -> MediaTypes.HELM_CONFIG.equals(c.artifactType()))
                .toList();
        List<Manifest> charts = new ArrayList<>();
        Set<String> seenConfigs = new LinkedHashSet<>();
        if (!byArtifactType.isEmpty()) {
            for (Descriptor child : byArtifactType) {
                charts.add(load(ref, childDescriptor(ref, index, child)));
            }
        } else {
            List<Descriptor> manifests = children.stream()
                    .filter(c -> c.mediaType() == null
                            || MediaTypes.OCI_MANIFEST.equals(c.mediaType())
                            || MediaTypes.DOCKER_MANIFEST.equals(c.mediaType()))
                    .toList();
            if (manifests.size() > MAX_INDEX_CHILDREN) {
                throw unsupported(
                        ref,
                        index,
                        "it lists " + manifests.size() + " manifests without artifactType; set artifactType "
                                + MediaTypes.HELM_CONFIG
                                + " on the chart entry or reference the chart manifest by digest");
            }
            for (Descriptor child : manifests) {
                Manifest loaded = load(ref, childDescriptor(ref, index, child));
                Descriptor config = loaded.config();
                seenConfigs.add(config == null ? "(no config)" : config.mediaType());
                if (config != null && MediaTypes.HELM_CONFIG.equals(config.mediaType())) {
                    charts.add(loaded);
                }
            }
        }
        if (charts.size() > 1) {
            throw new EngineException(
                    Reason.AmbiguousIndex,
                    "The OCI image index " + describe(ref, index) + " holds "
                            + charts.size() + " Helm chart manifests ("
                            + String.join(
                                    ", ", charts.stream().map(m -> m.digest).toList())
                            + "). Reference the wanted chart manifest by its digest, or push an index with exactly one chart.");
        }
        if (charts.isEmpty()) {
            String found = children.isEmpty()
                    ? "no manifests"
                    : "config media types "
                            + (seenConfigs.isEmpty()
                                    ? children.stream()
                                            .map(c -> String.valueOf(c.mediaType()))
                                            .distinct()
                                            .toList()
                                            .toString()
                                    : seenConfigs.toString());
            String what = seenConfigs.stream().anyMatch(MediaTypes::isContainerConfig)
                    ? "It is a multi-platform container image."
                    : "It holds no Helm chart manifest.";
            throw new EngineException(
                    Reason.NotAHelmChart,
                    describe(ref, index) + " is an OCI image index with " + found + ". " + what + " " + pushHint(ref));
        }
        return charts.get(0);
    }

    private Descriptor childDescriptor(OciReference ref, Manifest index, Descriptor child) {
        checkDescriptor(ref, index, child);
        return child;
    }

    /** A manifest's verified bytes, from the store or the registry, parsed. */
    private Manifest load(OciReference ref, Descriptor descriptor) {
        Digest digest = Digest.parse(descriptor.digest(), "manifest of " + ref.repository());
        byte[] bytes = null;
        String served = null;
        if (cache != null) {
            bytes = cache.readSmall(digest, descriptor.size(), RegistryClient.MAX_METADATA_BYTES)
                    .orElse(null);
        }
        if (bytes == null) {
            RegistryClient.ManifestContent content = client.getManifest(ref, descriptor);
            bytes = content.bytes();
            served = content.mediaType();
            if (cache != null) {
                cache.put(digest, bytes);
            }
        }
        JsonNode json;
        try {
            json = JSON.readTree(bytes);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            throw new EngineException(
                    Reason.UnsupportedManifest,
                    "The manifest " + ref.repository() + "@" + digest
                            + " is not a JSON object. Push the chart again with 'helm push'.");
        }
        String bodyType = MediaTypes.essence(json.path("mediaType").asText(null));
        String contentType = agreedMediaType(ref, digest, descriptor.mediaType(), served, bodyType);
        // Helm writes no mediaType in the body; the registry's Content-Type names it. Without either, infer from the
        // shape.
        String type = contentType != null
                ? contentType
                : bodyType != null ? bodyType : json.has("manifests") ? MediaTypes.OCI_INDEX : MediaTypes.OCI_MANIFEST;
        return new Manifest(digest.toString(), type, json);
    }

    /**
     * The one place where a manifest's media types are checked against each other: as announced (by
     * the HEAD or the parent index), as served (Content-Type of the GET; none when read from the
     * store), and as its body says. Each may be missing; those present must agree.
     */
    private static String agreedMediaType(
            OciReference ref, Digest digest, String announced, String served, String body) {
        if (announced != null && served != null && !announced.equals(served)) {
            throw new EngineException(
                    Reason.UnsupportedManifest,
                    "Registry " + ref.registry() + " served the manifest "
                            + ref.repository() + "@" + digest + " as " + served + " but it was announced as "
                            + announced
                            + ". Push the chart again with 'helm push'.");
        }
        String contentType = announced != null ? announced : served;
        if (contentType != null && body != null && !contentType.equals(body)) {
            throw new EngineException(
                    Reason.UnsupportedManifest,
                    "The manifest " + ref.repository() + "@" + digest + " is served as " + contentType
                            + " but says mediaType " + body + ". Push the chart again with 'helm push'.");
        }
        return contentType;
    }

    private void checkDescriptor(OciReference ref, Manifest manifest, Descriptor descriptor) {
        if (Digest.parseOrNull(descriptor.digest()) == null || descriptor.size() < 0) {
            throw unsupported(
                    ref,
                    manifest,
                    "it has a descriptor with an invalid digest or size (" + descriptor.digest() + ", "
                            + descriptor.size() + ")");
        }
    }

    private EngineException unsupported(OciReference ref, Manifest manifest, String why) {
        return new EngineException(
                Reason.UnsupportedManifest,
                "The manifest " + describe(ref, manifest) + " cannot hold a Helm chart: " + why
                        + ". Push the chart with 'helm push', which writes an OCI image manifest.");
    }

    private EngineException notAChart(
            OciReference ref, Manifest manifest, Descriptor config, List<Descriptor> layers, String what) {
        String found = "config media type " + (config == null ? "(none)" : config.mediaType()) + ", layer media types "
                + layers.stream().map(l -> String.valueOf(l.mediaType())).toList();
        return new EngineException(
                Reason.NotAHelmChart,
                describe(ref, manifest) + " is not a Helm chart. " + what
                        + " Found " + found + "; a Helm chart has config media type " + MediaTypes.HELM_CONFIG
                        + " and a layer of type "
                        + MediaTypes.HELM_CHART + ". " + pushHint(ref));
    }

    private static String describe(OciReference ref, Manifest manifest) {
        return ref.registry() + "/" + ref.repository() + "@" + manifest.digest + " (" + manifest.mediaType + ")";
    }

    /** The exact commands that push a chart to this reference correctly. */
    static String pushHint(OciReference ref) {
        String name = ref.chartName();
        int slash = ref.repository().lastIndexOf('/');
        String parent =
                ref.registry() + (slash < 0 ? "" : "/" + ref.repository().substring(0, slash));
        String tag = ref.tag() != null ? ref.tag() : "<version>";
        String version = ref.tag() != null ? ref.tag().replace('_', '+') : "<version>";
        return "Push the chart with 'helm push " + name + "-" + version + ".tgz oci://" + parent
                + "', or with oras: 'oras push "
                + parent + "/" + name + ":" + tag + " --config config.json:" + MediaTypes.HELM_CONFIG + " " + name + "-"
                + version
                + ".tgz:" + MediaTypes.HELM_CHART + "' (config.json is Chart.yaml as JSON).";
    }

    /** A parsed manifest or index with its verified digest and effective media type. */
    private record Manifest(String digest, String mediaType, JsonNode json) {
        Descriptor config() {
            JsonNode config = json.get("config");
            return config == null || !config.isObject() ? null : descriptor(config);
        }

        List<Descriptor> layers() {
            return descriptors("layers");
        }

        List<Descriptor> descriptors(String field) {
            List<Descriptor> result = new ArrayList<>();
            for (JsonNode node : json.path(field)) {
                if (node.isObject()) {
                    result.add(descriptor(node));
                }
            }
            return result;
        }

        private static Descriptor descriptor(JsonNode node) {
            Map<String, String> annotations = new HashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it =
                            node.path("annotations").fields();
                    it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                annotations.put(entry.getKey(), entry.getValue().asText());
            }
            JsonNode size = node.get("size");
            return new Descriptor(
                    MediaTypes.essence(node.path("mediaType").asText(null)),
                    node.path("digest").asText(""),
                    size != null && size.canConvertToLong() ? size.asLong() : -1,
                    node.path("artifactType").asText(null),
                    annotations);
        }
    }
}
