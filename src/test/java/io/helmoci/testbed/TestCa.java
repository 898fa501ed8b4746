package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
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
 * A certificate authority made for one test run, so TLS is really verified (never switched off)
 * between the engine, helm, oras, the registries and the token server.
 */
public final class TestCa {
    private static final AtomicLong SERIALS = new AtomicLong(System.currentTimeMillis());
    private static TestCa shared;

    private final KeyPair keyPair;
    private final X509Certificate certificate;
    private final Path caFile;

    /** A leaf certificate with its private key and chain (leaf first), issued by this CA. */
    public record Issued(
            X509Certificate certificate,
            PrivateKey privateKey,
            List<X509Certificate> chain,
            Path certificateFile,
            Path keyFile) {

        /** PKCS#12-style key store holding this key and chain, for a JDK TLS server. */
        public SSLContext serverSslContext() {
            try {
                KeyStore keyStore = KeyStore.getInstance("PKCS12");
                keyStore.load(null, null);
                keyStore.setKeyEntry("server", privateKey, new char[0], chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keyStore, new char[0]);
                SSLContext context = SSLContext.getInstance("TLS");
                context.init(kmf.getKeyManagers(), null, null);
                return context;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build a TLS server context", e);
            }
        }

        /** The chain as JWS {@code x5c} values: standard base64 DER, leaf first. */
        public List<String> x5c() {
            List<String> values = new ArrayList<>();
            for (X509Certificate cert : chain) {
                try {
                    values.add(Base64.getEncoder().encodeToString(cert.getEncoded()));
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            }
            return values;
        }
    }

    private TestCa(String commonName, Path dir) {
        try {
            keyPair = newKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=" + commonName + ",O=helm-oci-operator tests");
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            name,
                            serial(),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(Duration.ofDays(7))),
                            name,
                            keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            utils.createSubjectKeyIdentifier(keyPair.getPublic()));
            certificate = sign(builder, keyPair.getPrivate());
            Files.createDirectories(dir);
            caFile = writePem(dir.resolve("ca.crt"), List.of(certificate));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot create the test CA", e);
        }
    }

    /** The CA shared by every fixture of this JVM (one per test run). */
    public static synchronized TestCa shared() {
        if (shared == null) {
            shared = create("helm-oci-operator test CA");
        }
        return shared;
    }

    /** A fresh, unrelated CA: for "certificate signed by an unknown authority" tests. */
    public static TestCa create(String commonName) {
        try {
            return new TestCa(commonName, Files.createTempDirectory("helmoci-ca"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    /** PEM file holding only the CA certificate (what {@code --ca-file} and engine CA bundles take). */
    public Path caFile() {
        return caFile;
    }

    public String caPem() {
        return pem(List.of(certificate));
    }

    /** A TLS server certificate for 127.0.0.1 and localhost, written as PEM cert + PKCS#8 key into {@code dir}. */
    public Issued issueServerCertificate(Path dir, String fileStem) {
        return issue(dir, fileStem, "localhost", true);
    }

    /** As {@link #issueServerCertificate(Path, String)}, valid for {@code ipAddress} too (a server other hosts reach). */
    public Issued issueServerCertificate(Path dir, String fileStem, String ipAddress) {
        return issue(dir, fileStem, "localhost", true, ipAddress);
    }

    /** A certificate for signing registry bearer tokens (JWTs); the registry trusts it through this CA. */
    public Issued issueSigningCertificate(Path dir, String fileStem) {
        return issue(dir, fileStem, "helmoci-token-signer", false);
    }

    /** A trust-only SSLContext for JDK clients (java.net.http) that trusts this CA and nothing else. */
    public SSLContext clientSslContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("test-ca", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a TLS client context", e);
        }
    }

    private Issued issue(Path dir, String fileStem, String commonName, boolean server, String... extraIpAddresses) {
        try {
            KeyPair leafKeys = newKeyPair();
            Instant now = Instant.now();
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                            certificate,
                            serial(),
                            Date.from(now.minus(Duration.ofHours(1))),
                            Date.from(now.plus(Duration.ofDays(7))),
                            new X500Name("CN=" + commonName + ",O=helm-oci-operator tests"),
                            leafKeys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(
                            Extension.subjectKeyIdentifier,
                            false,
                            utils.createSubjectKeyIdentifier(leafKeys.getPublic()))
                    .addExtension(
                            Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(certificate));
            if (server) {
                List<GeneralName> names = new java.util.ArrayList<>(List.of(
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.dNSName, "localhost")));
                for (String ip : extraIpAddresses) {
                    names.add(new GeneralName(GeneralName.iPAddress, ip));
                }
                builder.addExtension(
                                Extension.subjectAlternativeName,
                                false,
                                new GeneralNames(names.toArray(GeneralName[]::new)))
                        .addExtension(
                                Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            }
            X509Certificate leaf = sign(builder, keyPair.getPrivate());
            Files.createDirectories(dir);
            Path certFile = writePem(dir.resolve(fileStem + ".crt"), List.of(leaf));
            Path keyFile = dir.resolve(fileStem + ".key");
            Files.writeString(
                    keyFile, pemBlock("PRIVATE KEY", leafKeys.getPrivate().getEncoded()));
            return new Issued(leaf, leafKeys.getPrivate(), List.of(leaf, certificate), certFile, keyFile);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
        }
    }

    public static String pem(List<X509Certificate> certificates) {
        StringBuilder out = new StringBuilder();
        for (X509Certificate cert : certificates) {
            try {
                out.append(pemBlock("CERTIFICATE", cert.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return out.toString();
    }

    private static Path writePem(Path file, List<X509Certificate> certificates) throws IOException {
        return Files.writeString(file, pem(certificates), StandardCharsets.US_ASCII);
    }

    private static String pemBlock(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        // EC P-256: fast to generate, understood by Go TLS, the JDK and JWS ES256.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return BigInteger.valueOf(SERIALS.incrementAndGet());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
            throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }
}
