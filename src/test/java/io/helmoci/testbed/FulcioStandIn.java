package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority standing in for Fulcio (Sigstore's keyless CA), made in test code: a root
 * and an intermediate, issuing short-lived code-signing certificates for a signer's public key with
 * what Fulcio puts in them: the identity as a critical Subject Alternative Name (a URI, as for a
 * Kubernetes ServiceAccount or a CI workflow) and the OIDC issuer in the extensions
 * {@code 1.3.6.1.4.1.57264.1.8} (DER UTF8String) and {@code 1.3.6.1.4.1.57264.1.1} (raw, deprecated).
 * No OIDC token is exchanged and no SCT is embedded: what a real Fulcio would prove about the OIDC
 * login is not part of this test bed.
 */
public final class FulcioStandIn {
    static final ASN1ObjectIdentifier ISSUER_V1 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.1");
    static final ASN1ObjectIdentifier ISSUER_V2 = new ASN1ObjectIdentifier("1.3.6.1.4.1.57264.1.8");
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KeyPair rootKeys;
    private final X509Certificate root;
    private final KeyPair intermediateKeys;
    private final X509Certificate intermediate;

    /** A certificate issued for a signer: PEM files of the certificate and of the chain above it. */
    public record Issued(X509Certificate certificate, Path certificateFile, Path chainFile) {}

    public FulcioStandIn(String name) {
        try {
            Instant now = Instant.now();
            rootKeys = newKeyPair();
            X500Name rootName = new X500Name("CN=" + name + " root,O=helm-oci-operator tests");
            root = sign(ca(rootName, rootName, rootKeys.getPublic(), now, null), rootKeys);
            intermediateKeys = newKeyPair();
            intermediate = sign(
                    ca(
                            rootName,
                            new X500Name("CN=" + name + " intermediate,O=helm-oci-operator tests"),
                            intermediateKeys.getPublic(),
                            now,
                            root),
                    rootKeys);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the Fulcio stand-in CA", e);
        }
    }

    /** The intermediate first, the root last: the certChain of this CA in a trusted root. */
    public List<X509Certificate> chain() {
        return List.of(intermediate, root);
    }

    /**
     * A code-signing certificate for the PEM public key {@code publicKeyPem} (cosign.pub), valid from
     * {@code notBefore} to {@code notAfter}, naming {@code identity} (URI SAN) and {@code issuer}.
     */
    public Issued issue(
            Path publicKeyPem, String identity, String issuer, Instant notBefore, Instant notAfter, Path dir) {
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            PublicKey key = readPublicKey(publicKeyPem);
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            intermediate,
                            BigInteger.valueOf(SERIALS.incrementAndGet()),
                            Date.from(notBefore),
                            Date.from(notAfter),
                            new X500Name(new org.bouncycastle.asn1.x500.RDN[0]),
                            key)
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_codeSigning))
                    .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(intermediate))
                    .addExtension(
                            Extension.subjectAlternativeName,
                            true,
                            new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, identity)))
                    .addExtension(new Extension(ISSUER_V1, false, issuer.getBytes(StandardCharsets.UTF_8)))
                    .addExtension(ISSUER_V2, false, new DERUTF8String(issuer));
            X509Certificate certificate = sign(builder, intermediateKeys);
            Files.createDirectories(dir);
            Path certificateFile = Files.writeString(
                    dir.resolve("signer.crt"), TestCa.pem(List.of(certificate)), StandardCharsets.US_ASCII);
            Path chainFile =
                    Files.writeString(dir.resolve("chain.crt"), TestCa.pem(chain()), StandardCharsets.US_ASCII);
            return new Issued(certificate, certificateFile, chainFile);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a keyless test certificate", e);
        }
    }

    /** A certificate valid from a minute ago for {@code validFor}, as Fulcio issues them (10 minutes). */
    public Issued issue(Path publicKeyPem, String identity, String issuer, Duration validFor, Path dir) {
        Instant now = Instant.now();
        return issue(publicKeyPem, identity, issuer, now.minus(Duration.ofMinutes(1)), now.plus(validFor), dir);
    }

    /**
     * A Sigstore {@code trusted_root.json} naming these certificate authorities and the timestamp
     * authority's chain; no transparency log and no CT log (nothing here runs them).
     */
    public static byte[] trustedRoot(List<FulcioStandIn> cas, List<X509Certificate> timestampAuthorityChain) {
        return trustedRootOf(cas.stream().map(FulcioStandIn::chain).toList(), timestampAuthorityChain);
    }

    /** The same for certificate authorities given by their chains (e.g. a real Fulcio's). */
    public static byte[] trustedRootOf(
            List<List<X509Certificate>> caChains, List<X509Certificate> timestampAuthorityChain) {
        ObjectNode root = JSON.createObjectNode();
        root.put("mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.1");
        root.putArray("tlogs");
        ArrayNode authorities = root.putArray("certificateAuthorities");
        for (List<X509Certificate> chain : caChains) {
            authority(authorities.addObject(), "https://fulcio.test", chain);
        }
        root.putArray("ctlogs");
        authority(root.putArray("timestampAuthorities").addObject(), "https://tsa.test", timestampAuthorityChain);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void authority(ObjectNode authority, String uri, List<X509Certificate> chain) {
        authority
                .putObject("subject")
                .put("organization", "helm-oci-operator tests")
                .put("commonName", uri);
        authority.put("uri", uri);
        ArrayNode certificates = authority.putObject("certChain").putArray("certificates");
        for (X509Certificate certificate : chain) {
            try {
                certificates.addObject().put("rawBytes", Base64.getEncoder().encodeToString(certificate.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        authority.putObject("validFor").put("start", "2020-01-01T00:00:00Z");
    }

    private static X509v3CertificateBuilder ca(
            X500Name issuer, X500Name subject, PublicKey key, Instant now, X509Certificate parent)
            throws GeneralSecurityException, IOException {
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                        issuer,
                        BigInteger.valueOf(SERIALS.incrementAndGet()),
                        Date.from(now.minus(Duration.ofDays(1))),
                        Date.from(now.plus(Duration.ofDays(30))),
                        subject,
                        key)
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(parent == null ? 1 : 0))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(key));
        if (parent != null) {
            builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(parent));
        }
        return builder;
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuerKeys)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(
                            new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static PublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
    }
}
