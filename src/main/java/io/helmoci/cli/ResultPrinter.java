package io.helmoci.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.PullResult;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.chart.ChartMetadata;
import io.helmoci.engine.verify.VerificationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Renders results and failures as aligned text for people or as one JSON object for scripts. */
final class ResultPrinter {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultPrinter() {}

    static void inspected(
            Resolution resolution, List<String> availableVersions, HelmOciCli.Output output, PrintWriter out) {
        Map<String, Object> fields = resolutionFields(resolution, availableVersions);
        if (output == HelmOciCli.Output.json) {
            json(fields, out);
        } else {
            text(fields, out);
        }
    }

    static void pulled(
            PullResult result, Path file, List<String> availableVersions, HelmOciCli.Output output, PrintWriter out) {
        pulled(result, file, availableVersions, null, output, out);
    }

    static void verified(
            Resolution resolution, VerificationResult verification, HelmOciCli.Output output, PrintWriter out) {
        Map<String, Object> fields = resolutionFields(resolution, resolution.availableVersions());
        fields.put("verification", verification(verification));
        if (output == HelmOciCli.Output.json) {
            json(fields, out);
        } else {
            text(fields, out);
        }
    }

    static void pulled(
            PullResult result,
            Path file,
            List<String> availableVersions,
            VerificationResult verification,
            HelmOciCli.Output output,
            PrintWriter out) {
        Map<String, Object> fields = resolutionFields(result.resolution(), availableVersions);
        if (verification != null) {
            fields.put("verification", verification(verification));
        }
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("digest", result.contentDigest());
        content.put("size", result.size());
        content.put("path", file.toAbsolutePath().normalize().toString());
        fields.put("content", content);
        fields.put("chart", chart(result.chart()));
        if (output == HelmOciCli.Output.json) {
            json(fields, out);
        } else {
            text(fields, out);
        }
    }

    static void failure(EngineException failure, HelmOciCli.Output output, PrintWriter out, PrintWriter err) {
        if (output == HelmOciCli.Output.json) {
            Map<String, Object> error = new LinkedHashMap<>();
            error.put("reason", failure.reason().name());
            error.put("message", failure.getMessage());
            json(Map.of("error", error), out);
        } else {
            err.println("Error: " + failure.reason() + ": " + failure.getMessage());
            err.flush();
        }
    }

    private static Map<String, Object> resolutionFields(Resolution resolution, List<String> availableVersions) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("reference", resolution.requested().toString());
        fields.put("version", resolution.version());
        fields.put("tag", resolution.tag());
        fields.put("manifestDigest", resolution.manifestDigest());
        fields.put("pinnedReference", resolution.pinnedReference());
        Map<String, Object> mediaTypes = new LinkedHashMap<>();
        mediaTypes.put("manifest", resolution.manifestMediaType());
        mediaTypes.put("config", resolution.configMediaType());
        mediaTypes.put("layers", resolution.layerMediaTypes());
        fields.put("mediaTypes", mediaTypes);
        fields.put("chart", chart(resolution.chart()));
        fields.put("availableVersions", availableVersions);
        fields.put("warnings", resolution.warnings());
        return fields;
    }

    private static Map<String, Object> verification(VerificationResult result) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("provider", result.provider().id());
        fields.put("format", result.format());
        fields.put("subjectDigest", result.subjectDigest());
        fields.put("signatureDigest", result.signatureDigest());
        Map<String, Object> signer = new LinkedHashMap<>();
        if (result.signer() != null) {
            signer.put("keyFingerprint", result.signer().keyFingerprint());
            signer.put("certificateSubject", result.signer().certificateSubject());
            signer.put("certificateIssuer", result.signer().certificateIssuer());
            signer.put("pgpKeyId", result.signer().pgpKeyId());
            signer.put("pgpUserId", result.signer().pgpUserId());
            signer.put("description", result.signer().describe());
            signer.values().removeIf(java.util.Objects::isNull);
        }
        fields.put("signer", signer);
        fields.put("verifiedAt", result.verifiedAt().toString());
        fields.put("warnings", result.warnings());
        return fields;
    }

    private static Map<String, Object> chart(ChartMetadata chart) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (chart == null) {
            return fields;
        }
        fields.put("name", chart.name());
        fields.put("version", chart.version());
        fields.put("appVersion", chart.appVersion());
        fields.put("apiVersion", chart.apiVersion());
        fields.put("type", chart.type());
        fields.put("description", chart.description());
        fields.put("kubeVersion", chart.kubeVersion());
        fields.put("deprecated", chart.deprecated());
        fields.put("dependencies", chart.dependencies());
        fields.values().removeIf(value -> value == null || value instanceof List<?> list && list.isEmpty());
        return fields;
    }

    private static void json(Object value, PrintWriter out) {
        try {
            out.println(JSON.writeValueAsString(value));
            out.flush();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static void text(Map<String, Object> fields, PrintWriter out) {
        Map<String, Object> mediaTypes = (Map<String, Object>) fields.get("mediaTypes");
        Map<String, Object> chart = (Map<String, Object>) fields.get("chart");
        row(out, "Reference", fields.get("reference"));
        row(out, "Version", fields.get("version") + " (tag " + fields.get("tag") + ")");
        row(out, "Manifest digest", fields.get("manifestDigest"));
        row(out, "Pinned reference", fields.get("pinnedReference"));
        row(out, "Manifest type", mediaTypes.get("manifest"));
        row(out, "Config type", mediaTypes.get("config"));
        row(out, "Layer types", String.join(", ", (List<String>) mediaTypes.get("layers")));
        row(
                out,
                "Chart",
                chart.get("name") + " " + chart.get("version")
                        + (chart.get("appVersion") != null ? " (appVersion " + chart.get("appVersion") + ")" : ""));
        if (chart.get("description") != null) {
            row(out, "Description", chart.get("description"));
        }
        if (chart.get("type") != null) {
            row(out, "Type", chart.get("type"));
        }
        if (Boolean.TRUE.equals(chart.get("deprecated"))) {
            row(out, "Deprecated", "yes");
        }
        List<String> available = (List<String>) fields.get("availableVersions");
        row(
                out,
                "Newest versions",
                available == null || available.isEmpty() ? "(not listed)" : String.join(", ", available));
        Map<String, Object> content = (Map<String, Object>) fields.get("content");
        if (content != null) {
            row(out, "Content digest", content.get("digest"));
            row(out, "Size", content.get("size") + " bytes");
            row(out, "Saved to", content.get("path"));
        }
        Map<String, Object> verification = (Map<String, Object>) fields.get("verification");
        if (verification != null) {
            Map<String, Object> signer = (Map<String, Object>) verification.get("signer");
            row(out, "Verified", verification.get("provider") + " (" + verification.get("format") + ")");
            row(out, "Signed by", signer.isEmpty() ? "(no signature checked)" : signer.get("description"));
            if (verification.get("signatureDigest") != null) {
                row(out, "Signature digest", verification.get("signatureDigest"));
            }
            for (String note : (List<String>) verification.get("warnings")) {
                row(out, "Verify note", note);
            }
        }
        for (String warning : (List<String>) fields.getOrDefault("warnings", List.of())) {
            row(out, "Warning", warning);
        }
        out.flush();
    }

    private static void row(PrintWriter out, String label, Object value) {
        out.printf("%-18s %s%n", label + ":", value);
    }
}
