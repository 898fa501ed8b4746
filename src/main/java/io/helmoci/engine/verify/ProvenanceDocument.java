package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * A Helm provenance file ({@code .prov}): an OpenPGP clear-signed message (RFC 4880 section 7) whose
 * text is the chart's Chart.yaml, a {@code ...} line, and {@code files: {<name>-<version>.tgz: sha256:<hex>}}
 * (helm pkg/provenance/sign.go).
 *
 * @param text        the signed text with dash-escaping removed and LF line ends, as Helm parses it
 * @param signedBytes the bytes the signature covers: trailing blanks stripped from each line, CRLF
 *                    between lines, no final line end
 * @param signature   the (first) signature of the signature block
 * @param name        {@code name} of the Chart.yaml part
 * @param version     {@code version} of the Chart.yaml part
 * @param files       the file name to {@code sha256:<hex>} map
 */
record ProvenanceDocument(
        String text,
        byte[] signedBytes,
        PGPSignature signature,
        String name,
        String version,
        Map<String, String> files) {
    private static final String BEGIN_MESSAGE = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String BEGIN_SIGNATURE = "-----BEGIN PGP SIGNATURE-----";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    static ProvenanceDocument parse(byte[] prov, String what) {
        String all = new String(prov, StandardCharsets.UTF_8).replace("\r\n", "\n");
        int begin = all.indexOf(BEGIN_MESSAGE + "\n");
        if (begin < 0) {
            throw invalid(what + " is not an OpenPGP clear-signed message (no '" + BEGIN_MESSAGE + "' line)");
        }
        // Armor headers ("Hash: SHA512") end at the first empty line.
        int headersEnd = all.indexOf("\n\n", begin);
        int signatureStart = all.indexOf("\n" + BEGIN_SIGNATURE, begin);
        if (headersEnd < 0 || signatureStart < 0 || signatureStart < headersEnd) {
            throw invalid(what + " has no signature block (helm: 'signature block not found')");
        }
        String cleartext = all.substring(headersEnd + 2, signatureStart);
        java.util.List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream signed = new ByteArrayOutputStream();
        for (String raw : cleartext.split("\n", -1)) {
            String line = raw.startsWith("- ") ? raw.substring(2) : raw;
            if (!lines.isEmpty()) {
                signed.write('\r');
                signed.write('\n');
            }
            lines.add(line);
            signed.writeBytes(stripTrailingBlanks(line).getBytes(StandardCharsets.UTF_8));
        }
        String text = String.join("\n", lines);
        PGPSignature signature =
                readSignature(all.substring(signatureStart + 1).getBytes(StandardCharsets.US_ASCII), what);
        String body = text;
        int separator = body.indexOf("\n...\n");
        if (separator < 0) {
            throw new EngineException(
                    Reason.ProvenanceMismatch,
                    what + " has no '...' line between the Chart.yaml part and the files part"
                            + " (helm: 'message block must have at least two parts'). Package and sign the chart again with 'helm package --sign'.");
        }
        JsonNode chart = yaml(body.substring(0, separator), what);
        JsonNode sums = yaml(body.substring(separator + 5), what);
        Map<String, String> files = new LinkedHashMap<>();
        sums.path("files")
                .fields()
                .forEachRemaining(e -> files.put(e.getKey(), e.getValue().asText()));
        return new ProvenanceDocument(
                body,
                signed.toByteArray(),
                signature,
                chart.path("name").asText(null),
                chart.path("version").asText(null),
                files);
    }

    private static PGPSignature readSignature(byte[] armored, String what) {
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            Object next = new BcPGPObjectFactory(in).nextObject();
            if (next instanceof PGPSignatureList list && !list.isEmpty()) {
                return list.get(0);
            }
            throw invalid(what + " has a signature block without an OpenPGP signature");
        } catch (IOException | RuntimeException e) {
            if (e instanceof EngineException engine) {
                throw engine;
            }
            throw invalid(
                    what + " has a signature block that is not a valid OpenPGP signature (" + e.getMessage() + ")");
        }
    }

    private static JsonNode yaml(String text, String what) {
        try {
            JsonNode node = YAML.readTree(text);
            return node == null ? YAML.createObjectNode() : node;
        } catch (IOException e) {
            throw new EngineException(
                    Reason.ProvenanceMismatch,
                    what + " holds YAML that does not parse (" + e.getMessage()
                            + "). Package and sign the chart again with 'helm package --sign'.");
        }
    }

    private static String stripTrailingBlanks(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }

    private static EngineException invalid(String message) {
        return new EngineException(
                Reason.SignatureInvalid, message + ". Package and sign the chart again with 'helm package --sign'.");
    }
}
