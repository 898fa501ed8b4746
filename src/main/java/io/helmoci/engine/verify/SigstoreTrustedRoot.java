package io.helmoci.engine.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A Sigstore trusted root ({@code trusted_root.json}, media type
 * {@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}): the certificate authorities
 * (Fulcio) and timestamp authorities (RFC 3161) whose certificates a keyless signature may chain
 * to, each with the time range it was valid for. Transparency logs and CT logs are counted, not
 * used: this verifier proves the signing time with signed timestamps only.
 *
 * <p>The Sigstore public-good root ships with the operator ({@link #publicGood()}, a copy of the
 * {@code trusted_root.json} target of Sigstore's TUF repository); a private deployment or a test gives
 * its own.
 */
public final class SigstoreTrustedRoot {
    static final String PUBLIC_GOOD_RESOURCE = "sigstore-public-good-trusted-root.json";
    /** Names a {@code trusted_root.json} file that replaces the shipped public-good root. */
    public static final String ROOT_FILE_ENV = "HELMOCI_SIGSTORE_TRUSTED_ROOT";

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One authority: its certificate chain as the trusted root lists it (the authority's own
     * certificate first, the self-signed root last) and when it was valid ({@code end} null: still).
     */
    record Authority(String name, List<X509Certificate> chain, Instant start, Instant end) {
        boolean validAt(Instant time) {
            return !time.isBefore(start) && (end == null || !time.isAfter(end));
        }
    }

    private final List<Authority> certificateAuthorities;
    private final List<Authority> timestampAuthorities;
    private final int transparencyLogs;

    private SigstoreTrustedRoot(
            List<Authority> certificateAuthorities, List<Authority> timestampAuthorities, int transparencyLogs) {
        this.certificateAuthorities = List.copyOf(certificateAuthorities);
        this.timestampAuthorities = List.copyOf(timestampAuthorities);
        this.transparencyLogs = transparencyLogs;
    }

    /**
     * The root a keyless policy without a root of its own uses: the file named by the environment
     * variable {@value #ROOT_FILE_ENV} (for example a mounted ConfigMap holding a newer public-good
     * {@code trusted_root.json}: updated without a release), else the shipped public-good root.
     */
    static SigstoreTrustedRoot defaultRoot(java.util.function.UnaryOperator<String> environment) {
        String file = environment.apply(ROOT_FILE_ENV);
        if (file == null || file.isBlank()) {
            return publicGood();
        }
        try {
            return parse(java.nio.file.Files.readAllBytes(java.nio.file.Path.of(file)));
        } catch (IOException e) {
            throw new EngineException(
                    Reason.VerificationPolicyInvalid,
                    "Cannot read the Sigstore trusted root " + file + " named by " + ROOT_FILE_ENV + " ("
                            + e.getMessage() + "). Mount the file there, or unset " + ROOT_FILE_ENV
                            + " to use the public-good root shipped with helm-oci.");
        }
    }

    /** The Sigstore public-good instance's trusted root, as shipped with the operator. */
    public static SigstoreTrustedRoot publicGood() {
        try (InputStream in = SigstoreTrustedRoot.class.getResourceAsStream(PUBLIC_GOOD_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + PUBLIC_GOOD_RESOURCE);
            }
            return parse(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Parses a {@code trusted_root.json}; a malformed one is {@link Reason#VerificationPolicyInvalid}. */
    public static SigstoreTrustedRoot parse(byte[] json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (IOException e) {
            throw invalid("is not JSON");
        }
        if (root == null || !root.isObject()) {
            throw invalid("is not a JSON object");
        }
        String mediaType = root.path("mediaType").asText("");
        if (!mediaType.startsWith("application/vnd.dev.sigstore.trustedroot")) {
            throw invalid("has media type '" + mediaType
                    + "', not application/vnd.dev.sigstore.trustedroot+json;version=0.1");
        }
        List<Authority> cas = authorities(root.path("certificateAuthorities"), "certificateAuthorities");
        List<Authority> tsas = authorities(root.path("timestampAuthorities"), "timestampAuthorities");
        if (cas.isEmpty()) {
            throw invalid("names no certificateAuthorities, so no keyless certificate can chain to it");
        }
        return new SigstoreTrustedRoot(cas, tsas, root.path("tlogs").size());
    }

    List<Authority> certificateAuthorities() {
        return certificateAuthorities;
    }

    List<Authority> timestampAuthorities() {
        return timestampAuthorities;
    }

    int transparencyLogs() {
        return transparencyLogs;
    }

    private static List<Authority> authorities(JsonNode list, String field) {
        List<Authority> authorities = new ArrayList<>();
        int index = 0;
        for (JsonNode authority : list) {
            String where = field + "[" + index++ + "]";
            List<X509Certificate> chain = new ArrayList<>();
            for (JsonNode cert : authority.path("certChain").path("certificates")) {
                chain.add(certificate(cert.path("rawBytes").asText(""), where));
            }
            if (chain.isEmpty()) {
                throw invalid(where + " has no certChain.certificates");
            }
            JsonNode validFor = authority.path("validFor");
            Instant start = instant(validFor.path("start").asText(null), where + ".validFor.start");
            if (start == null) {
                throw invalid(where + " has no validFor.start");
            }
            Instant end = instant(validFor.path("end").asText(null), where + ".validFor.end");
            String name = authority.path("uri").asText("");
            if (name.isEmpty()) {
                name = chain.get(0).getSubjectX500Principal().getName();
            }
            authorities.add(new Authority(name, List.copyOf(chain), start, end));
        }
        return authorities;
    }

    static X509Certificate certificate(String base64Der, String where) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(
                            new ByteArrayInputStream(Base64.getDecoder().decode(base64Der)));
        } catch (CertificateException | IllegalArgumentException e) {
            throw invalid(where + " has a certificate that is not base64 DER X.509");
        }
    }

    private static Instant instant(String text, String where) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw invalid(where + " '" + text + "' is not an RFC 3339 time");
        }
    }

    private static EngineException invalid(String problem) {
        return new EngineException(
                Reason.VerificationPolicyInvalid,
                "The Sigstore trusted root (trusted_root.json) " + problem
                        + ". Give the trusted_root.json of your Sigstore deployment"
                        + " ('cosign trusted-root create' writes one), or leave it out for the public-good instance.");
    }
}
