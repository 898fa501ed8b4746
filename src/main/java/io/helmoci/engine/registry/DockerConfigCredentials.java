package io.helmoci.engine.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from a Docker config: {@code config.json} / {@code .dockerconfigjson}
 * ({@code {"auths":{...}}}) or the legacy {@code .dockercfg} (the bare map).
 *
 * <p>Keys may be spelled {@code host}, {@code host:port}, {@code https://host},
 * {@code http://host/v2/} or {@code https://index.docker.io/v1/}; scheme and path are ignored and
 * the port must match. {@code docker.io}, {@code index.docker.io}, {@code registry-1.docker.io} and
 * {@code https://index.docker.io/v1/} are one registry. Within an entry, {@code auth}
 * (base64 {@code user:password}) overrides {@code username}/{@code password}; a
 * {@code registrytoken} wins over an {@code identitytoken}, which wins over a password.
 * {@code credHelpers} and {@code credsStore} are not supported, as in Kubernetes.
 */
public final class DockerConfigCredentials {
    static final String DOCKER_HUB = "docker.io";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Normalised host[:port] to credentials, in file order. */
    private final Map<String, Credentials> byHost;

    private DockerConfigCredentials(Map<String, Credentials> byHost) {
        this.byHost = byHost;
    }

    public static DockerConfigCredentials fromJson(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw invalid("is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("is not a JSON object");
        }
        // config.json / .dockerconfigjson wrap the map in "auths"; .dockercfg is the bare map.
        JsonNode auths = root.has("auths") ? root.get("auths") : root;
        Map<String, Credentials> byHost = new LinkedHashMap<>();
        if (auths.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = auths.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                if (!entry.getValue().isObject()) {
                    continue;
                }
                String host = normaliseHost(entry.getKey());
                Credentials credentials = parseEntry(entry.getValue(), entry.getKey());
                // The first entry with something in it wins among spellings of the same registry.
                if (!host.isEmpty()
                        && (!byHost.containsKey(host) || byHost.get(host).isAnonymous())) {
                    byHost.put(host, credentials);
                }
            }
        }
        return new DockerConfigCredentials(byHost);
    }

    /** The credentials for a registry as written in a reference ({@code host[:port]}, any Docker Hub alias). */
    public Optional<Credentials> lookup(String registry) {
        return Optional.ofNullable(byHost.get(normaliseHost(registry)));
    }

    /** Like {@link #lookup} but anonymous when the config has no entry. */
    public Credentials forRegistry(String registry) {
        return lookup(registry).orElse(Credentials.anonymous());
    }

    /** The registries this config has entries for, normalised; for messages and diagnostics. */
    public java.util.Set<String> registries() {
        return java.util.Collections.unmodifiableSet(byHost.keySet());
    }

    /** Strips scheme and path, lower-cases, and folds every Docker Hub alias into {@code docker.io}. */
    static String normaliseHost(String key) {
        String host = key.trim();
        int scheme = host.indexOf("://");
        if (scheme >= 0) {
            host = host.substring(scheme + 3);
        }
        int slash = host.indexOf('/');
        if (slash >= 0) {
            host = host.substring(0, slash);
        }
        host = host.toLowerCase(Locale.ROOT);
        return switch (host) {
            case "docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> DOCKER_HUB;
            default -> host;
        };
    }

    private static Credentials parseEntry(JsonNode entry, String key) {
        String registryToken = text(entry, "registrytoken");
        if (registryToken != null) {
            return Credentials.registryToken(registryToken);
        }
        String username = text(entry, "username");
        String password = text(entry, "password");
        String auth = text(entry, "auth");
        if (auth != null) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid("has an 'auth' value for '" + normaliseHost(key) + "' that is not base64");
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw invalid(
                        "has an 'auth' value for '" + normaliseHost(key) + "' that is not base64 of user:password");
            }
            username = decoded.substring(0, colon);
            password = decoded.substring(colon + 1);
        }
        String identityToken = text(entry, "identitytoken");
        if (identityToken != null) {
            return Credentials.identityToken(username, identityToken);
        }
        if (username != null && password != null && !(username.isEmpty() && password.isEmpty())) {
            return Credentials.basic(username, password);
        }
        return Credentials.anonymous();
    }

    private static String text(JsonNode entry, String field) {
        JsonNode value = entry.get(field);
        return value == null || !value.isTextual() || value.asText().isEmpty() ? null : value.asText();
    }

    private static EngineException invalid(String problem) {
        return new EngineException(
                Reason.Unauthorized,
                "The Docker config " + problem
                        + ". Give a config.json of the form {\"auths\":{\"<registry>\":{\"auth\":\"<base64 user:password>\"}}}.");
    }

    @Override
    public String toString() {
        return "DockerConfigCredentials" + byHost.keySet();
    }
}
