package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * The local environment of {@code make demo} ({@code tools/demo.sh}): a real kube-apiserver with
 * etcd and a real distribution v3 registry (plain HTTP) on 127.0.0.1, the same components the
 * integration tests use. It writes what the script needs into a shell-sourceable env file, then
 * runs until it gets SIGTERM or its parent process (the script) is gone, and stops both on the way out.
 *
 * <pre>java -cp ... io.helmoci.testbed.DemoEnvironment ENV_FILE [PARENT_PID]</pre>
 */
public final class DemoEnvironment {
    private static final Duration PARENT_CHECK = Duration.ofSeconds(1);

    private DemoEnvironment() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: DemoEnvironment ENV_FILE [PARENT_PID]");
            System.exit(2);
        }
        Path envFile = Path.of(args[0]).toAbsolutePath();
        ProcessHandle parent = args.length == 2
                ? ProcessHandle.of(Long.parseLong(args[1]))
                        .orElseThrow(() -> new IllegalStateException("parent " + args[1] + " is gone"))
                : null;

        CountDownLatch stopped = new CountDownLatch(1);
        Resources resources = new Resources();
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            resources.close();
                            stopped.countDown();
                        },
                        "demo-environment-shutdown"));

        try {
            resources.kube = KubeApiServerFixture.start();
            resources.registry = RegistryFixture.builder(RegistryImplementation.DISTRIBUTION_V3)
                    .start();
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("KUBECONFIG", resources.kube.kubeconfig().toString());
            facts.put("API_SERVER", resources.kube.apiServerUrl());
            facts.put("KUBE_VERSION", Tools.kubeVersion());
            facts.put("REGISTRY_HOST", resources.registry.host());
            facts.put("REGISTRY_VERSION", "distribution " + RegistryImplementation.DISTRIBUTION_V3.version());
            facts.put("HELM", Tools.helm().toString());
            facts.put("KUBECTL", Tools.kubectl().toString());
            facts.put("OPERATOR_PORT", Integer.toString(freePort()));
            writeAtomically(envFile, facts);
        } catch (Exception | Error e) {
            // A missing tool (Tools aborts outside CI) or a component that did not start: say why, stop what started.
            System.err.println("the demo environment did not start: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.out.println("demo environment up: kube-apiserver " + resources.kube.apiServerUrl() + ", registry "
                + resources.registry.baseUrl());

        // Outlive neither SIGTERM (the shutdown hook) nor the script that started us (killed with SIGKILL, say).
        while (!stopped.await(PARENT_CHECK.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            if (parent != null && !parent.isAlive()) {
                System.out.println("parent process " + parent.pid() + " is gone: stopping");
                System.exit(0);
            }
        }
    }

    /** Started components, closed in reverse order; a half-started environment closes what it has. */
    private static final class Resources implements AutoCloseable {
        volatile KubeApiServerFixture kube;
        volatile RegistryFixture registry;

        @Override
        public synchronized void close() {
            if (registry != null) {
                registry.close();
                registry = null;
            }
            if (kube != null) {
                kube.close();
                kube = null;
            }
        }
    }

    /** {@code KEY='value'} lines; written to a temp file and renamed, so the reader never sees half a file. */
    private static void writeAtomically(Path envFile, Map<String, String> facts) throws IOException {
        String text = facts.entrySet().stream()
                .map(e -> e.getKey() + "='" + e.getValue().replace("'", "'\\''") + "'")
                .collect(Collectors.joining("\n", "", "\n"));
        Path temp = envFile.resolveSibling(envFile.getFileName() + ".tmp");
        Files.writeString(temp, text);
        Files.move(temp, envFile, StandardCopyOption.ATOMIC_MOVE);
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
