package io.helmoci.engine.registry;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/** Builds the TLS socket factory for {@link TransportOptions}: custom CA bundle, client certificate, or no verification. */
record TlsMaterial(SSLSocketFactory socketFactory, X509TrustManager trustManager) {
    private static final Pattern PEM_BLOCK =
            Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");
    private static final char[] NO_PASSWORD = new char[0];

    /** Null when the JVM defaults apply (no CA, no client certificate, verification on). */
    static TlsMaterial of(TransportOptions options) {
        if (options.caCertificatesPem() == null
                && options.clientCertificatePem() == null
                && !options.insecureSkipTlsVerify()) {
            return null;
        }
        try {
            X509TrustManager trust = options.insecureSkipTlsVerify()
                    ? new TrustEverything()
                    : trustManager(
                            options.caCertificatesPem() == null ? null : caKeyStore(options.caCertificatesPem()));
            KeyManager[] keys = options.clientCertificatePem() == null
                    ? null
                    : keyManagers(options.clientCertificatePem(), options.clientKeyPem());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {trust}, new SecureRandom());
            return new TlsMaterial(context.getSocketFactory(), trust);
        } catch (GeneralSecurityException e) {
            throw new EngineException(
                    Reason.TlsError,
                    "The TLS settings cannot be used: " + e.getMessage()
                            + ". Give PEM certificates (-----BEGIN CERTIFICATE-----) and an unencrypted PEM private key.",
                    e);
        }
    }

    private static KeyStore caKeyStore(String pem) throws GeneralSecurityException {
        List<X509Certificate> certificates = certificates(pem, "CA bundle");
        KeyStore store = emptyKeyStore();
        for (int i = 0; i < certificates.size(); i++) {
            store.setCertificateEntry("ca-" + i, certificates.get(i));
        }
        return store;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager available");
    }

    private static KeyManager[] keyManagers(String certificatePem, String keyPem) throws GeneralSecurityException {
        List<X509Certificate> chain = certificates(certificatePem, "client certificate");
        KeyStore store = emptyKeyStore();
        store.setKeyEntry("client", privateKey(keyPem), NO_PASSWORD, chain.toArray(new Certificate[0]));
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, NO_PASSWORD);
        return factory.getKeyManagers();
    }

    private static KeyStore emptyKeyStore() throws GeneralSecurityException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try {
            store.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        return store;
    }

    static List<X509Certificate> certificates(String pem, String what) throws CertificateException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> result = new ArrayList<>();
        Matcher block = PEM_BLOCK.matcher(pem);
        while (block.find()) {
            if (block.group(1).equals("CERTIFICATE")) {
                Collection<? extends Certificate> parsed =
                        factory.generateCertificates(new ByteArrayInputStream(decode(block.group(2))));
                parsed.forEach(c -> result.add((X509Certificate) c));
            }
        }
        if (result.isEmpty()) {
            throw new CertificateException("the " + what + " holds no PEM certificate");
        }
        return result;
    }

    /** PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}). */
    static PrivateKey privateKey(String pem) throws GeneralSecurityException {
        Matcher block = PEM_BLOCK.matcher(pem);
        while (block.find()) {
            byte[] der = decode(block.group(2));
            switch (block.group(1)) {
                case "PRIVATE KEY":
                    return pkcs8(der, "RSA", "EC", "Ed25519", "Ed448");
                case "RSA PRIVATE KEY":
                    return pkcs8(wrapPkcs8(RSA_ALGORITHM, der), "RSA");
                case "EC PRIVATE KEY":
                    return pkcs8(wrapPkcs8(ecAlgorithm(der), der), "EC");
                case "ENCRYPTED PRIVATE KEY":
                    throw new GeneralSecurityException("the client key is encrypted; give it unencrypted");
                default:
                // e.g. "EC PARAMETERS" before the key: skip
            }
        }
        throw new GeneralSecurityException("the client key holds no PEM private key");
    }

    private static PrivateKey pkcs8(byte[] der, String... algorithms) throws GeneralSecurityException {
        GeneralSecurityException last = null;
        for (String algorithm : algorithms) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException("unsupported private key type", last);
    }

    // AlgorithmIdentifier { rsaEncryption, NULL }
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
    };
    // OID id-ecPublicKey 1.2.840.10045.2.1
    private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01
    };

    // OIDs of the NIST curves, for SEC1 keys that leave out their parameters (as some Java tools write them)
    private static final byte[] P256 = {0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07};
    private static final byte[] P384 = {0x06, 0x05, 0x2b, (byte) 0x81, 0x04, 0x00, 0x22};
    private static final byte[] P521 = {0x06, 0x05, 0x2b, (byte) 0x81, 0x04, 0x00, 0x23};

    /**
     * SEC1 ECPrivateKey ::= SEQUENCE { version, privateKey OCTET STRING, [0] parameters OID, [1] publicKey }.
     * The curve comes from [0]; without it, from the private key's length (P-256, P-384 or P-521).
     */
    private static byte[] ecAlgorithm(byte[] sec1) throws GeneralSecurityException {
        Der outer = new Der(sec1, 0);
        int position = outer.contentStart;
        int keyLength = -1;
        while (position < outer.end) {
            Der element = new Der(sec1, position);
            int tag = sec1[position] & 0xff;
            if (tag == 0xa0) {
                byte[] curve = java.util.Arrays.copyOfRange(sec1, element.contentStart, element.end);
                return sequence(concat(EC_PUBLIC_KEY_OID, curve));
            }
            if (tag == 0x04) {
                keyLength = element.end - element.contentStart;
            }
            position = element.end;
        }
        byte[] curve = switch (keyLength) {
            case 32 -> P256;
            case 48 -> P384;
            case 65, 66 -> P521;
            default ->
                throw new GeneralSecurityException("the EC private key does not name its curve; convert it to PKCS#8");
        };
        return sequence(concat(EC_PUBLIC_KEY_OID, curve));
    }

    private static byte[] wrapPkcs8(byte[] algorithm, byte[] key) {
        return sequence(concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tagged(0x04, key)));
    }

    private static byte[] sequence(byte[] content) {
        return tagged(0x30, content);
    }

    private static byte[] tagged(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64);
    }

    /** One DER element's extent: where its content starts and where it ends. */
    private static final class Der {
        final int contentStart;
        final int end;

        Der(byte[] der, int offset) throws GeneralSecurityException {
            if (offset + 2 > der.length) {
                throw new GeneralSecurityException("truncated DER in the private key");
            }
            int first = der[offset + 1] & 0xff;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = offset + 2;
            } else {
                int bytes = first & 0x7f;
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[offset + 2 + i] & 0xff);
                }
                start = offset + 2 + bytes;
            }
            if (start + length > der.length) {
                throw new GeneralSecurityException("truncated DER in the private key");
            }
            contentStart = start;
            end = start + length;
        }
    }

    /** Only for {@code insecureSkipTlsVerify}: accepts every server certificate. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
