package io.helmoci.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP forward proxy: Debian's tinyproxy ({@code tools/install.sh}, key {@code tinyproxy}),
 * listening on 127.0.0.1, optionally with basic authentication. It forwards only to IP literals in
 * 127.0.0.0/8 (its filter denies every other host, names included, so nothing leaves the machine).
 * Its log records every request it receives (plain-HTTP requests with their full URL, CONNECT with
 * {@code host:port}), parsed by {@link #requests()}.
 */
public final class HttpProxy implements AutoCloseable {
    private static final Pattern REQUEST = Pattern.compile("Request \\(file descriptor \\d+\\): (\\S+) (\\S+) HTTP/");

    /** One request as the proxy logged it: {@code CONNECT 127.0.0.1:5000} or {@code GET http://127.0.0.1:5000/v2/}. */
    public record ProxiedRequest(String method, String target) {
        /** Whether it went to {@code host:port}: a tunnel to it or a forwarded request for a URL on it. */
        public boolean to(String hostPort) {
            return method.equals("CONNECT")
                    ? target.equals(hostPort)
                    : target.startsWith("http://" + hostPort + "/") || target.equals("http://" + hostPort);
        }
    }

    private final Process process;
    private final Path log;
    private final int port;
    private final String user;
    private final String password;

    private HttpProxy(Process process, Path log, int port, String user, String password) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.user = user;
        this.password = password;
    }

    /** A proxy that asks for no credentials. */
    public static HttpProxy start(Path workDir) {
        return start(workDir, null, null);
    }

    /** A proxy that answers 407 unless given {@code user}/{@code password} (basic auth); both null = no auth. */
    public static HttpProxy start(Path workDir, String user, String password) {
        Path binary = Tools.executable("tinyproxy");
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("tinyproxy.log");
            Path filter = workDir.resolve("filter");
            // Host names never match: the proxy cannot be made to resolve and reach anything off the machine.
            Files.writeString(filter, "^127\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}$\n", StandardCharsets.UTF_8);
            int port = freePort();
            StringBuilder config = new StringBuilder()
                    .append("Port ")
                    .append(port)
                    .append('\n')
                    .append("Listen 127.0.0.1\n")
                    .append("Allow 127.0.0.1\n")
                    .append("Timeout 120\n")
                    .append("MaxClients 200\n")
                    .append("LogFile \"")
                    .append(log)
                    .append("\"\n")
                    .append("LogLevel Connect\n")
                    .append("Filter \"")
                    .append(filter)
                    .append("\"\n")
                    .append("FilterType ere\n")
                    .append("FilterDefaultDeny Yes\n")
                    .append("DisableViaHeader Yes\n");
            if (user != null) {
                config.append("BasicAuth ")
                        .append(user)
                        .append(' ')
                        .append(password)
                        .append('\n');
            }
            Path configFile = workDir.resolve("tinyproxy.conf");
            Files.writeString(configFile, config, StandardCharsets.UTF_8);
            Process process = new ProcessBuilder(binary.toString(), "-d", "-c", configFile.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(workDir.resolve("tinyproxy.out").toFile())
                    .start();
            // A JVM that dies without close() must not leave the proxy running.
            Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
            HttpProxy proxy = new HttpProxy(process, log, port, user, password);
            proxy.awaitListening();
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code 127.0.0.1:PORT}. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** {@code http://127.0.0.1:PORT}, without credentials. */
    public String url() {
        return "http://" + hostPort();
    }

    /** {@code http://user:password@127.0.0.1:PORT} (no credentials when the proxy asks for none). */
    public String urlWithCredentials() {
        return user == null ? url() : "http://" + user + ":" + password + "@" + hostPort();
    }

    /** Every request the proxy received so far, in order, including ones it refused (407, filtered). */
    public List<ProxiedRequest> requests() {
        List<ProxiedRequest> requests = new ArrayList<>();
        for (String line : logLines()) {
            Matcher m = REQUEST.matcher(line);
            if (m.find()) {
                requests.add(new ProxiedRequest(m.group(1), m.group(2)));
            }
        }
        return requests;
    }

    /** The requests that went to {@code host:port}. */
    public List<ProxiedRequest> requestsTo(String hostPort) {
        return requests().stream().filter(r -> r.to(hostPort)).toList();
    }

    public String logs() {
        return String.join("\n", logLines());
    }

    /** Adds the proxy's log to a failure. */
    public <T extends Throwable> T withLogAttached(T failure) {
        failure.addSuppressed(new Throwable("tinyproxy log:\n" + logs()));
        return failure;
    }

    private List<String> logLines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("tinyproxy exited with code " + process.exitValue() + ":\n" + logs());
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                sleep();
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("tinyproxy did not listen on " + hostPort() + " within 20 s:\n" + logs());
    }

    private static void sleep() {
        try {
            Thread.sleep(25);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
