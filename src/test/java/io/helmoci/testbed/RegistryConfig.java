package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a distribution {@code config.yml}. Only keys that mean the same in distribution 2.8 and
 * v3 are used, so one writer serves both implementations.
 */
final class RegistryConfig {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private final Map<String, Object> root = new LinkedHashMap<>();

    RegistryConfig(String address, int port, Path storageDir) {
        put("version", "0.1");
        // Access log on: the fixture parses its combined-log lines to count the requests served.
        put("log.level", "info");
        put("log.formatter", "text");
        put("log.accesslog.disabled", false);
        put("storage.filesystem.rootdirectory", storageDir.toString());
        put("storage.delete.enabled", true);
        put("storage.maintenance.uploadpurging.enabled", false);
        put("http.addr", address + ":" + port);
        // A fixed secret: upload URLs stay valid across a restart of the same registry.
        put("http.secret", "helmoci-testbed-upload-secret");
        put("http.headers.X-Content-Type-Options", List.of("nosniff"));
    }

    RegistryConfig tls(TestCa.Issued serverCertificate) {
        put("http.tls.certificate", serverCertificate.certificateFile().toString());
        put("http.tls.key", serverCertificate.keyFile().toString());
        return this;
    }

    RegistryConfig htpasswd(Path file) {
        put("auth.htpasswd.realm", "helmoci-test-registry");
        put("auth.htpasswd.path", file.toString());
        return this;
    }

    RegistryConfig token(TokenServer server) {
        put("auth.token.realm", server.realm().toString());
        put("auth.token.service", server.service());
        put("auth.token.issuer", server.issuer());
        put("auth.token.rootcertbundle", server.rootCertBundle().toString());
        return this;
    }

    RegistryConfig notifications(List<String> urls) {
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            Map<String, Object> endpoint = new LinkedHashMap<>();
            endpoint.put("name", "testbed-" + i);
            endpoint.put("url", urls.get(i));
            endpoint.put("timeout", "2s");
            endpoint.put("threshold", 3);
            endpoint.put("backoff", "1s");
            endpoints.add(endpoint);
        }
        put("notifications.endpoints", endpoints);
        return this;
    }

    /** Sets a value by dotted path ({@code validation.manifests.indexes.platforms}), creating maps on the way. */
    @SuppressWarnings("unchecked")
    RegistryConfig put(String dottedKey, Object value) {
        String[] keys = dottedKey.split("\\.");
        Map<String, Object> map = root;
        for (int i = 0; i < keys.length - 1; i++) {
            map = (Map<String, Object>) map.computeIfAbsent(keys[i], k -> new LinkedHashMap<String, Object>());
        }
        if (value == null) {
            map.remove(keys[keys.length - 1]);
        } else {
            map.put(keys[keys.length - 1], value);
        }
        return this;
    }

    Path write(Path file) {
        try {
            YAML.writeValue(file.toFile(), root);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
