package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.engine.registry.TransportFixtures.ref;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.testbed.ScriptedHttpServer;
import io.helmoci.testbed.TestCa;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Custom CA, mutual TLS, the https-to-http redirect refusal and the HTTP proxy, against loopback JDK servers. */
class TlsAndProxyTest {
    private static final String TAGS = "{\"name\":\"charts/app\",\"tags\":[\"1.0.0\"]}";

    @AutoClose
    private final RegistryTransport transport = new RegistryTransport();

    @AutoClose
    private ScriptedHttpServer server;

    @AutoClose
    private ScriptedHttpServer other;

    @TempDir
    Path dir;

    private TransportOptions trusting(TestCa ca) {
        return TransportOptions.builder()
                .retry(TransportFixtures.FAST_RETRY)
                .caCertificates(ca.caPem())
                .build();
    }

    @Test
    void aCustomCaIsTrustedAndOnlyIt() {
        TestCa ca = TestCa.create("custom CA");
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 200, JSON, TAGS),
                ScriptedHttpServer.serverContext(ca.issueServerCertificate(dir, "server"), ca),
                false);

        assertThat(transport
                        .open(new RegistryOptions(Credentials.anonymous(), trusting(ca)))
                        .listTags(ref(server)))
                .containsExactly("1.0.0");
        EngineException other = failure(
                Reason.TlsError,
                () -> transport
                        .open(new RegistryOptions(Credentials.anonymous(), trusting(TestCa.create("another CA"))))
                        .listTags(ref(server)));
        assertThat(other.getMessage()).contains("CA certificate", server.hostPort());
        failure(
                Reason.TlsError,
                () -> transport.open(RegistryOptions.defaults()).listTags(ref(server)));
        // skip-verify only when asked
        assertThat(transport
                        .open(new RegistryOptions(
                                Credentials.anonymous(),
                                TransportOptions.builder()
                                        .insecureSkipTlsVerify(true)
                                        .build()))
                        .listTags(ref(server)))
                .containsExactly("1.0.0");
    }

    @Test
    void mutualTlsSendsTheClientCertificate() throws Exception {
        TestCa ca = TestCa.create("mtls CA");
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 200, JSON, TAGS),
                ScriptedHttpServer.serverContext(ca.issueServerCertificate(dir, "server"), ca),
                true);
        TestCa.Issued client = ca.issueSigningCertificate(dir, "client");
        String certificatePem = Files.readString(client.certificateFile());

        TransportOptions pkcs8 = trusting(ca).toBuilder()
                .clientCertificate(certificatePem, Files.readString(client.keyFile()))
                .build();
        assertThat(transport
                        .open(new RegistryOptions(Credentials.anonymous(), pkcs8))
                        .listTags(ref(server)))
                .containsExactly("1.0.0");

        TransportOptions sec1 = trusting(ca).toBuilder()
                .clientCertificate(certificatePem, traditionalPem(client.privateKey()))
                .build();
        assertThat(transport
                        .open(new RegistryOptions(Credentials.anonymous(), sec1))
                        .listTags(ref(server)))
                .containsExactly("1.0.0");

        // Without one, the JDK server drops the connection after the handshake (a Go server sends a
        // certificate_required alert, which is a TlsError): either way the message says what to give.
        EngineException without = catchThrowableOfType(
                EngineException.class,
                () -> transport
                        .open(new RegistryOptions(
                                Credentials.anonymous(),
                                trusting(ca).toBuilder()
                                        .retry(RetryPolicy.none())
                                        .build()))
                        .listTags(ref(server)));
        assertThat(without).isNotNull();
        assertThat(without.reason()).isIn(Reason.TlsError, Reason.RegistryUnavailable);
        assertThat(without.getMessage()).contains(server.hostPort(), "client certificate");
    }

    @Test
    void privateKeysInEveryPemFlavourAreRead() throws Exception {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            generator.initialize(algorithm.equals("RSA") ? 2048 : 256);
            KeyPair pair = generator.generateKeyPair();
            String pkcs8 = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";

            assertThat(TlsMaterial.privateKey(pkcs8).getEncoded())
                    .isEqualTo(pair.getPrivate().getEncoded());
            String traditional = traditionalPem(pair.getPrivate());
            assertThat(traditional).contains(algorithm + " PRIVATE KEY");
            PrivateKey parsed = TlsMaterial.privateKey(traditional);
            assertThat(parsed.getAlgorithm()).isEqualTo(algorithm);
            assertThat(parsed.getEncoded())
                    .isEqualTo(TlsMaterial.privateKey(pkcs8).getEncoded());
            BigInteger secret = algorithm.equals("RSA")
                    ? ((RSAPrivateKey) pair.getPrivate()).getPrivateExponent()
                    : ((java.security.interfaces.ECPrivateKey) pair.getPrivate()).getS();
            if (algorithm.equals("EC")) {
                // as openssl writes it: with the curve in [0] and after an "EC PARAMETERS" block
                PrivateKeyInfo info =
                        PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                byte[] sec1 = new ECPrivateKey(
                                256,
                                inner.getKey(),
                                info.getPrivateKeyAlgorithm().getParameters())
                        .getEncoded();
                String openssl = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                        + "-----BEGIN EC PRIVATE KEY-----\n"
                        + Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n";
                assertThat(((java.security.interfaces.ECPrivateKey) TlsMaterial.privateKey(openssl)).getS())
                        .isEqualTo(secret);
            }
        }
        EngineException encrypted = failure(
                Reason.TlsError,
                () -> TlsMaterial.of(TransportOptions.builder()
                        .clientCertificate(
                                TestCa.create("x").caPem(),
                                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
                        .build()));
        assertThat(encrypted.getMessage()).contains("encrypted");
    }

    @Test
    void aRedirectFromHttpsToPlainHttpIsRefused() {
        TestCa ca = TestCa.create("redirect CA");
        other = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, Map.of(), "x"));
        server = ScriptedHttpServer.start(
                (ex, req) -> respond(ex, 307, Map.of("Location", other.url() + "/blob"), ""),
                ScriptedHttpServer.serverContext(ca.issueServerCertificate(dir, "server"), ca),
                false);
        Descriptor blob = new Descriptor(
                "application/octet-stream",
                Digest.sha256("x".getBytes(StandardCharsets.UTF_8)).toString(),
                1);

        EngineException e = failure(Reason.TlsError, () -> {
            try (InputStream in = transport
                    .open(new RegistryOptions(Credentials.registryToken("secret"), trusting(ca)))
                    .openBlob(ref(server), blob)) {
                in.readAllBytes();
            }
        });

        assertThat(e.getMessage()).contains("refusing to downgrade");
        assertThat(other.requests()).isEmpty();
    }

    @Test
    void requestsGoThroughTheHttpProxyWithItsCredentials() {
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.header("Proxy-Authorization") == null) {
                respond(ex, 407, Map.of("Proxy-Authenticate", "Basic realm=\"proxy\""), "");
            } else {
                respond(ex, 200, JSON, TAGS);
            }
        });
        TransportOptions viaProxy = TransportOptions.builder()
                .plainHttp(true)
                .retry(RetryPolicy.none())
                .proxy("http://proxyuser:proxy%20pass@" + server.hostPort())
                .build();
        OciReference unresolvable = new OciReference("registry.invalid:5000", "charts/app", "1.0.0", null);

        assertThat(transport
                        .open(new RegistryOptions(Credentials.anonymous(), viaProxy))
                        .listTags(unresolvable))
                .containsExactly("1.0.0");

        // Sent up front: no 407 round trip per request.
        assertThat(server.requests()).singleElement().satisfies(r -> {
            assertThat(r.header("Host")).isEqualTo("registry.invalid:5000");
            assertThat(r.header("Proxy-Authorization"))
                    .isEqualTo("Basic "
                            + Base64.getEncoder()
                                    .encodeToString("proxyuser:proxy pass".getBytes(StandardCharsets.UTF_8)));
            assertThat(r.path()).isEqualTo("/v2/charts/app/tags/list");
        });
        EngineException bad = failure(
                Reason.ProxyConfigurationInvalid,
                () -> transport
                        .open(new RegistryOptions(
                                Credentials.anonymous(),
                                viaProxy.toBuilder()
                                        .proxy("socks5://user:hunter2@proxy")
                                        .build()))
                        .listTags(unresolvable));
        assertThat(bad.getMessage()).doesNotContain("hunter2");
    }

    /** The traditional OpenSSL PEM ({@code RSA PRIVATE KEY} / {@code EC PRIVATE KEY}), as openssl and cert-manager write it. */
    private static String traditionalPem(PrivateKey key) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(key);
        }
        return out.toString();
    }
}
