package io.helmoci.testbed;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd, started by fabric8 kube-api-test offline from the binaries that
 * {@code tools/install.sh} builds. The API server authorizes with RBAC; {@link #client()} is a
 * cluster admin (group {@code system:masters}), {@link #clientAs} acts as a ServiceAccount.
 *
 * <p>There is no controller-manager, scheduler or kubelet: nothing garbage-collects, namespaces
 * never finish deleting, ServiceAccounts get no tokens and pods never run. Tests therefore get a
 * fresh namespace each ({@link #createNamespace}) instead of cleaning up.
 */
public final class KubeApiServerFixture implements AutoCloseable {
    /** The field manager this test bed applies with. */
    public static final String FIELD_MANAGER = "helmoci-testbed";
    /** The project's CRDs, relative to the project directory (the working directory of Maven's tests). */
    public static final Path PROJECT_CRDS = Path.of("deploy", "crds");

    private static final long CRD_ESTABLISHED_TIMEOUT_SECONDS = 60;
    private static final System.Logger LOG = System.getLogger(KubeApiServerFixture.class.getName());

    private static KubeApiServerFixture shared;

    private final KubeAPIServer server;
    private final Path workDir;
    private final Path kubeconfig;
    private final Config adminConfig;
    private final KubernetesClient client;
    private final Duration startupTime;
    private final FreshNamespaces namespaces = new FreshNamespaces();

    private KubeApiServerFixture(KubeAPIServer server, Path workDir, Duration startupTime) throws IOException {
        this.server = server;
        this.workDir = workDir;
        this.startupTime = startupTime;
        this.kubeconfig = Files.writeString(workDir.resolve("kubeconfig"), server.getKubeConfigYaml());
        this.adminConfig = Config.fromKubeconfig(kubeconfig.toFile());
        this.client = new KubernetesClientBuilder().withConfig(adminConfig).build();
    }

    /** The API server shared by every test in this JVM: started on first use, stopped when the JVM exits. */
    public static synchronized KubeApiServerFixture shared() {
        if (shared == null) {
            KubeApiServerFixture started = start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "kube-apiserver-shutdown"));
            shared = started;
        }
        return shared;
    }

    /** Whether {@code kubeconfig} is that of the {@link #shared()} API server, which keeps earlier test classes' resources. */
    public static synchronized boolean isShared(Path kubeconfig) {
        return shared != null && shared.kubeconfig.toAbsolutePath().equals(kubeconfig.toAbsolutePath());
    }

    /** Starts a new API server of its own; the caller closes it. Prefer {@link #shared()}: each costs seconds. */
    public static KubeApiServerFixture start() {
        Path binaries = Tools.kubeApiTestDir().resolve("k8s");
        String version = Tools.kubeVersion();
        KubeApiServerLog.capture();
        Path workDir;
        try {
            // kube-api-test keeps its certificates in its directory: give each server its own one,
            // with the shared binaries linked in, so parallel JVMs never race on certificate files.
            workDir = Files.createTempDirectory("kube-api-test-");
            Files.createSymbolicLink(workDir.resolve("k8s"), binaries);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare a kube-api-test directory", e);
        }
        // Configured here, not through KUBE_API_TEST_* variables: in 7.4.0 the boolean and integer
        // ones fail with ClassCastException. Offline, because its downloads cannot work here.
        KubeAPIServer server = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(workDir.toString())
                .withApiServerVersion(version)
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .build());
        long begin = System.nanoTime();
        try {
            server.start();
            Duration startupTime = Duration.ofNanos(System.nanoTime() - begin);
            LOG.log(System.Logger.Level.INFO, "kube-apiserver {0} started in {1} ms", version, startupTime.toMillis());
            return new KubeApiServerFixture(server, workDir, startupTime);
        } catch (RuntimeException | IOException e) {
            IllegalStateException failure = new IllegalStateException(
                    "kube-apiserver " + version + " from " + binaries
                            + " did not start; its log is attached. Rebuild the binaries with 'make tools' if they are broken.",
                    e);
            failure.addSuppressed(KubeApiServerLog.asThrowable());
            stopQuietly(server, failure);
            deleteRecursively(workDir);
            throw failure;
        }
    }

    /** A cluster-admin client. Shared: do not close it. */
    public KubernetesClient client() {
        return client;
    }

    /**
     * A new client that impersonates ServiceAccount {@code serviceAccount} in {@code namespace}, so
     * that RBAC decides what it may do, as for an operator running in a cluster. The caller closes it.
     */
    public KubernetesClient clientAs(String namespace, String serviceAccount) {
        Config config = new ConfigBuilder(adminConfig)
                .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + serviceAccount)
                .withImpersonateGroups(
                        "system:serviceaccounts", "system:serviceaccounts:" + namespace, "system:authenticated")
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    /** A kubeconfig file with admin credentials, for the real kubectl or a process under test. */
    public Path kubeconfig() {
        return kubeconfig;
    }

    public String apiServerUrl() {
        return adminConfig.getMasterUrl();
    }

    public Duration startupTime() {
        return startupTime;
    }

    /** Runs the real kubectl against this API server, as admin. */
    public ProcessRunner.Result kubectl(String... args) {
        return ProcessRunner.run(kubectlCommand(args));
    }

    /** {@code kubectl apply -n <namespace> -f -} of the {@code yaml} document(s); fails the test if kubectl fails. */
    public ProcessRunner.Result apply(String namespace, String yaml) {
        return ProcessRunner.run(
                        kubectlCommand("apply", "-n", namespace, "-f", "-"),
                        Map.of(),
                        null,
                        yaml.getBytes(StandardCharsets.UTF_8),
                        Duration.ofMinutes(2))
                .orThrow();
    }

    private List<String> kubectlCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Tools.kubectl().toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "--cache-dir",
                workDir.resolve("kubectl-cache").toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Creates a namespace with a fresh name starting with {@code prefix} (made DNS-safe) and returns its name. */
    public String createNamespace(String prefix) {
        return namespaces.create(client, prefix);
    }

    public String createNamespace() {
        return createNamespace("test");
    }

    /**
     * Server-side applies every object in the {@code *.yaml} / {@code *.yml} files of {@code dir} and
     * waits until each CustomResourceDefinition among them is Established. Does nothing if the
     * directory does not exist (yet).
     *
     * @return the names of the CRDs applied
     */
    public List<String> applyCrds(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> crds = new ArrayList<>();
        for (Path file : yamlFiles(dir)) {
            try (InputStream in = Files.newInputStream(file)) {
                for (HasMetadata item : client.load(in).items()) {
                    client.resource(item)
                            .fieldManager(FIELD_MANAGER)
                            .forceConflicts()
                            .serverSideApply();
                    if (item instanceof CustomResourceDefinition) {
                        crds.add(item.getMetadata().getName());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }
        for (String crd : crds) {
            client.apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .withName(crd)
                    .waitUntilCondition(
                            KubeApiServerFixture::isEstablished, CRD_ESTABLISHED_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        return crds;
    }

    /** {@link #applyCrds} for the project's own CRDs in {@link #PROJECT_CRDS}. */
    public List<String> applyProjectCrds() {
        return applyCrds(PROJECT_CRDS);
    }

    public static boolean isEstablished(CustomResourceDefinition crd) {
        return crd != null
                && crd.getStatus() != null
                && crd.getStatus().getConditions() != null
                && crd.getStatus().getConditions().stream()
                        .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** The most recent lines of the API server's log (the same for every server in this JVM). */
    public String recentLog() {
        return KubeApiServerLog.tail();
    }

    /** Stops the API server and etcd and deletes their data. */
    @Override
    public void close() {
        client.close();
        stopQuietly(server, null);
        deleteRecursively(workDir);
    }

    private static List<Path> yamlFiles(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(
                            f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    private static void stopQuietly(KubeAPIServer server, Throwable failure) {
        try {
            server.stop();
        } catch (RuntimeException e) {
            // E.g. kube-api-test cannot delete etcd data it never created after a half-finished start.
            if (failure != null) {
                failure.addSuppressed(e);
            } else {
                LOG.log(System.Logger.Level.WARNING, "kube-apiserver did not stop cleanly", e);
            }
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            // The 'k8s' symbolic link is deleted, not followed: Files.walk does not follow links.
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete " + dir, e);
        }
    }
}
