package io.helmoci.testbed;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A real single-node Kubernetes cluster: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, kubelet, kube-proxy (iptables mode), containerd + runc + the CNI bridge plugin,
 * and a plain-HTTP registry (distribution v3) for the cluster, all from the binaries and Debian
 * packages {@code tools/install.sh} installs, started by {@code tools/cluster/cluster.sh}
 * (the same script as {@code make cluster}).
 *
 * <p>Everything runs in a network namespace the script creates, linked to the host by one veth
 * pair: the API server, the node and the registry at {@link #nodeIp()}, pods in {@link #podCidr()},
 * Services in {@link #serviceCidr()}, all reachable from this JVM directly (a Service's ClusterIP
 * through kube-proxy's rules inside the namespace). Nothing has a route off the machine.
 *
 * <p>One cluster per JVM ({@link #shared()}), stopped by a shutdown hook; the script also watches
 * this JVM's process and stops the cluster when it ends, even on {@code kill -9}. Needs root: on a
 * developer machine without root or without the tools a test is skipped, under {@code CI=true}
 * it fails.
 */
public final class ClusterFixture implements AutoCloseable {
    /** The script that starts and stops the cluster, relative to the project directory. */
    public static final Path SCRIPT = Path.of("tools", "cluster", "cluster.sh");

    public static final String CLUSTER_DIR_ENV = "HELM_OCI_CLUSTER_DIR";
    private static final Duration START_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration STOP_TIMEOUT = Duration.ofMinutes(2);
    private static final int LOG_LINES = 40;
    private static final System.Logger LOG = System.getLogger(ClusterFixture.class.getName());

    private static ClusterFixture shared;
    private static RuntimeException sharedStartFailure;

    private final Path dir;
    private final Properties properties;
    private final KubernetesClient client;
    private final Duration startupTime;
    private final FreshNamespaces namespaces = new FreshNamespaces();
    private volatile boolean closed;

    private ClusterFixture(Path dir, Properties properties, Duration startupTime) {
        this.dir = dir;
        this.properties = properties;
        this.startupTime = startupTime;
        this.client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(kubeconfig().toFile()))
                .build();
    }

    /** The cluster shared by every test in this JVM: started on first use, stopped when the JVM exits. */
    public static synchronized ClusterFixture shared() {
        if (sharedStartFailure != null) {
            throw new IllegalStateException("the cluster failed to start earlier in this JVM", sharedStartFailure);
        }
        if (shared == null) {
            try {
                ClusterFixture started = start();
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "cluster-shutdown"));
                shared = started;
            } catch (IllegalStateException e) {
                sharedStartFailure = e;
                throw e;
            }
        }
        return shared;
    }

    private static ClusterFixture start() {
        requireRoot();
        // Each missing component skips (or, under CI, fails) with the command that installs it.
        for (String key : List.of(
                "kube.apiserver",
                "etcd",
                "kubectl",
                "kubelet",
                "kube.proxy",
                "kube.controller.manager",
                "kube.scheduler",
                "containerd",
                "ctr",
                "runc",
                "registry.distribution",
                "cluster.image.pause",
                "cluster.image.hello")) {
            Tools.property(key);
        }
        Tools.executable("kubelet");
        Tools.executable("containerd");
        Path dir = clusterDir();
        long begin = System.nanoTime();
        ProcessRunner.Result result = script(
                List.of("up", "--watch", Long.toString(ProcessHandle.current().pid())), START_TIMEOUT);
        Duration startupTime = Duration.ofNanos(System.nanoTime() - begin);
        if (result.exitCode() != 0) {
            throw new IllegalStateException("the cluster did not start (" + SCRIPT + " up exited with "
                    + result.exitCode() + "); its output and the components' last log lines:\n" + result.stderr());
        }
        Properties properties = new Properties();
        try (InputStream in = Files.newInputStream(dir.resolve("cluster.properties"))) {
            properties.load(in);
        } catch (IOException e) {
            throw new IllegalStateException("the cluster started but wrote no " + dir.resolve("cluster.properties"), e);
        }
        LOG.log(
                System.Logger.Level.INFO,
                "cluster started in {0} ms (node {1})",
                startupTime.toMillis(),
                properties.getProperty("node.name"));
        return new ClusterFixture(dir, properties, startupTime);
    }

    private static void requireRoot() {
        ProcessRunner.Result id = ProcessRunner.run(List.of("id", "-u"));
        if ("0".equals(id.stdout().strip())) {
            return;
        }
        String message =
                "The real cluster needs root (network namespace, containerd, kubelet): run the E2E tests as root.";
        if (Tools.isCi()) {
            throw new IllegalStateException(message);
        }
        Assumptions.abort(message);
    }

    static Path clusterDir() {
        String dir = System.getenv(CLUSTER_DIR_ENV);
        return Path.of(dir == null || dir.isBlank() ? "/var/tmp/helm-oci-cluster" : dir);
    }

    private static ProcessRunner.Result script(List<String> args, Duration timeout) {
        List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        command.addAll(args);
        return ProcessRunner.run(
                command,
                Map.of(
                        "HELM_OCI_TOOLS_DIR",
                        Tools.toolsDir().toString(),
                        CLUSTER_DIR_ENV,
                        clusterDir().toString()),
                null,
                null,
                timeout);
    }

    /** The cluster-admin client. Shared: do not close it. */
    public KubernetesClient client() {
        return client;
    }

    /** An admin kubeconfig file, for kubectl and helm. */
    public Path kubeconfig() {
        return Path.of(properties.getProperty("kubeconfig"));
    }

    public String apiServerUrl() {
        return properties.getProperty("api.server");
    }

    /** The node's address: API server, kubelet and the cluster's registry listen here. */
    public String nodeIp() {
        return properties.getProperty("node.ip");
    }

    /**
     * The host end of the veth pair that links the cluster to this machine: pods reach a server this JVM
     * binds there (e.g. {@code RegistryFixture.Builder.bindAddress}); nothing beyond the machine does.
     */
    public String hostIp() {
        return properties.getProperty("host.ip");
    }

    /** The network namespace every component and pod network lives in. */
    public String networkNamespace() {
        return properties.getProperty("netns");
    }

    public String nodeName() {
        return properties.getProperty("node.name");
    }

    public String podCidr() {
        return properties.getProperty("pod.cidr");
    }

    public String serviceCidr() {
        return properties.getProperty("service.cidr");
    }

    /** {@code host:port} of the cluster's plain-HTTP registry, reachable from this JVM and from pods. */
    public String registry() {
        return properties.getProperty("registry");
    }

    /** The sample workload image (a static HTTP server, see tools/cluster/hello-http.c), present on the node. */
    public String helloImage() {
        return properties.getProperty("image.hello");
    }

    /** How long {@code cluster.sh up} took, from a clean state to a Ready node. */
    public Duration startupTime() {
        return startupTime;
    }

    /** Imports an image tarball (docker-archive or OCI) into the node's containerd, for pods to run it. */
    public void importImage(Path tarball) {
        script(List.of("import", tarball.toAbsolutePath().toString()), Duration.ofMinutes(3))
                .orThrow();
    }

    /**
     * The host PID of a running container's main process, from the node's containerd (the
     * {@code containerd://<id>} of a pod's container status), e.g. to read its {@code /proc} status.
     */
    public long containerPid(String containerId) {
        String id = containerId.replaceFirst("^containerd://", "");
        ProcessRunner.Result tasks = ProcessRunner.run(List.of(
                        Tools.executable("ctr").toString(),
                        "--address",
                        dir.resolve("containerd/containerd.sock").toString(),
                        "-n",
                        "k8s.io",
                        "tasks",
                        "ls"))
                .orThrow();
        return tasks.stdout()
                .lines()
                .map(line -> line.trim().split("\\s+"))
                .filter(columns -> columns.length >= 2 && columns[0].equals(id))
                .mapToLong(columns -> Long.parseLong(columns[1]))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no running task " + id + " in:\n" + tasks.stdout()));
    }

    /** Runs the real kubectl against this cluster, as admin. */
    public ProcessRunner.Result kubectl(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Tools.kubectl().toString(),
                "--kubeconfig",
                kubeconfig().toString(),
                "--cache-dir",
                dir.resolve("kubectl-cache").toString()));
        command.addAll(List.of(args));
        return ProcessRunner.run(command);
    }

    /** Creates a namespace with a fresh name starting with {@code prefix} (made DNS-safe) and returns its name. */
    public String createNamespace(String prefix) {
        return namespaces.create(client, prefix);
    }

    /**
     * Waits until every replica of Deployment {@code name} is updated and Ready (the rollout finished)
     * and returns it.
     */
    public Deployment awaitDeploymentReady(String namespace, String name, Duration timeout) {
        return client.apps()
                .deployments()
                .inNamespace(namespace)
                .withName(name)
                .waitUntilCondition(
                        d -> d != null
                                && d.getStatus() != null
                                && d.getSpec().getReplicas() != null
                                && d.getStatus().getObservedGeneration() != null
                                && d.getStatus().getObservedGeneration()
                                        >= d.getMetadata().getGeneration()
                                && Objects.equals(
                                        d.getStatus().getUpdatedReplicas(),
                                        d.getSpec().getReplicas())
                                && Objects.equals(
                                        d.getStatus().getReadyReplicas(),
                                        d.getSpec().getReplicas())
                                && Objects.equals(
                                        d.getStatus().getReplicas(), d.getSpec().getReplicas()),
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
    }

    /** {@code http://<ClusterIP>:<port>} of Service {@code name}: reachable from this JVM through kube-proxy. */
    public URI serviceUrl(String namespace, String name, int port) {
        Service service =
                client.services().inNamespace(namespace).withName(name).get();
        if (service == null) {
            throw new IllegalStateException("no Service " + namespace + "/" + name);
        }
        return URI.create("http://" + service.getSpec().getClusterIP() + ":" + port);
    }

    /**
     * GETs {@code url}, retrying connection failures and non-2xx answers until {@code timeout} (a new
     * Service's rules reach kube-proxy a moment after its pods are Ready); returns the last answer.
     */
    public HttpResponse<String> httpGet(URI url, Duration timeout) {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<String> last = null;
        Exception lastFailure = null;
        while (System.nanoTime() < deadline) {
            try {
                last = http.send(
                        HttpRequest.newBuilder(url)
                                .timeout(Duration.ofSeconds(10))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (last.statusCode() / 100 == 2) {
                    return last;
                }
            } catch (IOException e) {
                lastFailure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
            sleep(Duration.ofMillis(500));
        }
        if (last != null) {
            return last;
        }
        throw new IllegalStateException("GET " + url + " failed until the timeout of " + timeout, lastFailure);
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The last lines of every component's log (etcd, API server, controllers, kubelet, containerd, ...). */
    public String recentLogs() {
        if (closed) {
            return "(the cluster is stopped)";
        }
        ProcessRunner.Result logs = script(List.of("logs", Integer.toString(LOG_LINES)), Duration.ofSeconds(30));
        return logs.stdout() + logs.stderr();
    }

    /** A stack-trace-free throwable carrying {@link #recentLogs()}, to attach to a failure. */
    public Throwable logsAsThrowable() {
        return new RecentLogs(recentLogs());
    }

    /** Stops every component and undoes the host changes (network namespace, routes, sysctls, cgroups). */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        ProcessRunner.Result result = script(List.of("down"), STOP_TIMEOUT);
        if (result.exitCode() != 0) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "cluster.sh down exited with {0}: {1}",
                    result.exitCode(),
                    result.stderr());
        }
    }

    static final class RecentLogs extends Throwable {
        private RecentLogs(String logs) {
            super("cluster component logs, last " + LOG_LINES + " lines each:\n" + logs, null, false, false);
        }
    }
}
