package io.helmoci.cli;

import io.helmoci.engine.GoDuration;
import io.helmoci.engine.reference.OciReference;
import io.helmoci.engine.registry.Credentials;
import io.helmoci.engine.registry.DockerConfigCredentials;
import io.helmoci.engine.registry.ProxyEndpoint;
import io.helmoci.engine.registry.ProxyRules;
import io.helmoci.engine.registry.RegistryOptions;
import io.helmoci.engine.registry.TransportOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The connection and credential flags every command shares. Names follow {@code helm pull} where helm has the flag. */
final class RegistryFlags {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--plain-http", description = "Use plain HTTP instead of HTTPS for the registry.")
    boolean plainHttp;

    @Option(names = "--insecure-skip-tls-verify", description = "Skip verification of the registry's TLS certificate.")
    boolean insecureSkipTlsVerify;

    @Option(
            names = "--ca-file",
            paramLabel = "FILE",
            description = "Verify the registry's certificate with this CA bundle (PEM).")
    Path caFile;

    @Option(names = "--cert-file", paramLabel = "FILE", description = "Client certificate (PEM) for mutual TLS.")
    Path certFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "Private key (PEM) of the client certificate.")
    Path keyFile;

    @Option(names = "--username", description = "Registry user name.")
    String username;

    @Option(names = "--password-stdin", description = "Read the registry password from standard input.")
    boolean passwordStdin;

    @Option(
            names = "--registry-config",
            paramLabel = "FILE",
            description =
                    "Docker config.json with registry credentials (default: $DOCKER_CONFIG/config.json or ~/.docker/config.json when it exists).")
    Path registryConfig;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5m",
            description = "Time limit for the whole operation, such as 60s or 5m (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Option(
            names = "--proxy",
            paramLabel = "URL",
            description =
                    "HTTP proxy for every request, http://[user:password@]host:port (default: HTTPS_PROXY, HTTP_PROXY and NO_PROXY, as Go programs read them).")
    String proxy;

    /** Turns the flags into engine options; credentials for {@code reference}'s registry only. */
    RegistryOptions toOptions(OciReference reference, InputStream stdin, Map<String, String> environment) {
        if ((certFile == null) != (keyFile == null)) {
            throw usage("--cert-file and --key-file go together");
        }
        if (passwordStdin && username == null) {
            throw usage("--password-stdin needs --username");
        }
        Duration operationTimeout;
        try {
            operationTimeout = GoDuration.parse(timeout);
        } catch (IllegalArgumentException e) {
            throw usage("--timeout: " + e.getMessage());
        }
        TransportOptions.Builder transport = TransportOptions.builder()
                .plainHttp(plainHttp)
                .insecureSkipTlsVerify(insecureSkipTlsVerify)
                .proxy(
                        proxy != null
                                ? ProxyRules.allThrough(ProxyEndpoint.parse(proxy, "--proxy"))
                                : ProxyRules.fromEnvironment(environment))
                .operationTimeout(operationTimeout);
        if (caFile != null) {
            transport.caCertificates(read(caFile, "--ca-file"));
        }
        if (certFile != null) {
            transport.clientCertificate(read(certFile, "--cert-file"), read(keyFile, "--key-file"));
        }
        return new RegistryOptions(credentials(reference, stdin), transport.build());
    }

    private Credentials credentials(OciReference reference, InputStream stdin) {
        if (username != null) {
            if (!passwordStdin) {
                throw usage("--username needs --password-stdin (passwords are never taken on the command line)");
            }
            return Credentials.basic(username, readPassword(stdin));
        }
        Path config = registryConfig != null ? registryConfig : defaultDockerConfig();
        if (config == null) {
            return Credentials.anonymous();
        }
        byte[] json;
        try {
            json = Files.readAllBytes(config);
        } catch (IOException e) {
            throw usage("cannot read --registry-config " + config + ": " + e.getMessage());
        }
        return DockerConfigCredentials.fromJson(json).forRegistry(reference.registry());
    }

    private static Path defaultDockerConfig() {
        String dir = System.getenv("DOCKER_CONFIG");
        Path file = dir != null
                ? Path.of(dir, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return Files.isRegularFile(file) ? file : null;
    }

    private String readPassword(InputStream stdin) {
        try {
            String password = new String(stdin.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (password.isEmpty()) {
                throw usage("--password-stdin: standard input was empty");
            }
            return password;
        } catch (IOException e) {
            throw usage("--password-stdin: cannot read standard input: " + e.getMessage());
        }
    }

    private String read(Path file, String flag) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw usage("cannot read " + flag + " " + file + ": " + e.getMessage());
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), message);
    }
}
