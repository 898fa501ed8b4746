/**
 * The project's real test bed: real registries, real CLIs, real kube-apiserver, never mocks.
 *
 * <p>Registry half, for engine and operator tests:
 * <ul>
 * <li>{@link io.helmoci.testbed.RegistryFixture} / {@link io.helmoci.testbed.RegistryExtension}: a real
 * distribution v3 or Debian distribution 2.8 process on 127.0.0.1, plain HTTP, TLS
 * ({@link io.helmoci.testbed.TestCa}), htpasswd Basic auth or bearer tokens from a
 * {@link io.helmoci.testbed.TokenServer}; notifications to a {@link io.helmoci.testbed.NotificationSink};
 * stop/restart on the same port and storage; {@code requests()} parsed from its access log.</li>
 * <li>{@link io.helmoci.testbed.ChartFactory} + {@link io.helmoci.testbed.ChartSpec}: real charts via
 * {@code helm create} / {@code helm package}.</li>
 * <li>{@link io.helmoci.testbed.HelmCli}, {@link io.helmoci.testbed.OrasCli}: the real CLIs in isolated homes.</li>
 * <li>{@link io.helmoci.testbed.RawRegistryClient} ({@code java.net.http}, not OkHttp) with
 * {@link io.helmoci.testbed.OciManifests} and {@link io.helmoci.testbed.Descriptor}: exact blobs and
 * manifests (OCI, Docker schema2, indexes, images) with Basic or token auth.</li>
 * </ul>
 *
 * <pre>{@code
 * @RegisterExtension
 * static RegistryExtension registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
 *         .tokenAuth(tokens -> tokens.anonymousPull(true)).user("alice", "secret").extension();
 *
 * @Test
 * void pullsFromAPublicRepository(@TempDir Path dir) {
 *     HelmCli helm = new HelmCli(dir.resolve("helm"));
 *     Path chart = new ChartFactory(helm, dir).create("demo", "1.0.0");
 *     helm.login(registry, "alice", "secret");
 *     helm.push(registry, chart, "charts");                 // oci://127.0.0.1:PORT/charts/demo:1.0.0
 *     registry.resetRequests();
 *     // ... code under test pulls registry.ociUrl("charts/demo") trusting registry.caFile() ...
 *     assertThat(registry.tokenServer().requestCount(TokenServer.Grant.ANONYMOUS)).isEqualTo(1);
 *     assertThat(registry.requests()).extracting(RegistryFixture.RegistryRequest::status).doesNotContain(500);
 * }
 * }</pre>
 */
package io.helmoci.testbed;
