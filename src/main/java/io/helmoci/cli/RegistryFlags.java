package io.helmoci.cli;

import io.helmoci.engine.GoDuration;
import io.helmoci.engine.cloud.CloudCredentials;
import io.helmoci.engine.cloud.CloudProvider;
import io.helmoci.engine.cloud.CloudSettings;
import io.helmoci.engine.cloud.EnvironmentIdentity;
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

    @Option(
            // spec.provider of a HelmOciChart (Flux's name); the signature verifier is --verify-provider.
            names = "--provider",
            paramLabel = "NAME",
            defaultValue = "generic",
            description =
                    "Where credentials come from: generic (flags and Docker config), or the workload identity of this"
                            + " machine for aws (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), azure (AZURE_CLIENT_ID,"
                            + " AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE) or gcp (GOOGLE_APPLICATION_CREDENTIALS or"
                            + " the metadata server) (default: ${DEFAULT-VALUE}).")
    String cloudProvider;

    @Option(
            names = "--cloud-registry-host",
            paramLabel = "HOST",
            description =
                    "A host[:port] besides the cloud's registry domains that may receive --provider credentials (a private name of the cloud's registry); repeatable.")
    java.util.List<String> cloudRegistryHosts = new java.util.ArrayList<>();

    /** The process environment; a field so that tests of the command can give their own. */
    java.util.Map<String, String> environment = System.getenv();

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
        ProxyRules proxyRules = proxy != null
                ? ProxyRules.allThrough(ProxyEndpoint.parse(proxy, "--proxy"))
                : ProxyRules.fromEnvironment(environment);
        TransportOptions.Builder transport = TransportOptions.builder()
                .plainHttp(plainHttp)
                .insecureSkipTlsVerify(insecureSkipTlsVerify)
                .proxy(proxyRules)
                .operationTimeout(operationTimeout);
        if (caFile != null) {
            transport.caCertificates(read(caFile, "--ca-file"));
        }
        if (certFile != null) {
            transport.clientCertificate(read(certFile, "--cert-file"), read(keyFile, "--key-file"));
        }
        return new RegistryOptions(credentials(reference, stdin, proxyRules), transport.build());
    }

    /** @param proxyRules the registry's proxy rules, which the cloud's token and exchange endpoints follow too */
    private Credentials credentials(OciReference reference, InputStream stdin, ProxyRules proxyRules) {
        CloudProvider cloud;
        try {
            cloud = CloudProvider.parse(cloudProvider);
        } catch (IllegalArgumentException e) {
            throw usage("--provider: " + e.getMessage());
        }
        if (cloud != null) {
            if (username != null || registryConfig != null) {
                throw usage("--provider " + cloud.id()
                        + " takes its credentials from the cloud: drop --username and --registry-config");
            }
            CloudSettings settings = CloudSettings.fromEnvironment(environment)
                    .withExtraRegistryHosts(java.util.Set.copyOf(cloudRegistryHosts));
            return new CloudCredentials(settings)
                    .credentials(
                            EnvironmentIdentity.of(cloud, environment), reference.registry(), plainHttp, proxyRules);
        }
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
