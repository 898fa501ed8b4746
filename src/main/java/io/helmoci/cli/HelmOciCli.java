package io.helmoci.cli;

import io.helmoci.engine.EngineException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code helm-oci}: resolve, inspect and pull Helm charts from OCI registries without a cluster,
 * with the same engine the operator uses. Exit codes: 0 success, 1 a failure with a reason, 2 usage.
 */
@Command(
        name = "helm-oci",
        mixinStandardHelpOptions = true,
        versionProvider = HelmOciCli.Version.class,
        description =
                "Resolve, inspect and pull Helm charts from OCI registries, verifying digests, sizes, media types and the archive.",
        subcommands = {InspectCommand.class, PullCommand.class, VerifyCommand.class, CommandLine.HelpCommand.class})
public final class HelmOciCli {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    /** picocli answers usage errors with its own {@code ExitCode.USAGE}, 2. */
    static final int EXIT_USAGE = picocli.CommandLine.ExitCode.USAGE;

    /** Standard input, for {@code --password-stdin}. */
    final InputStream stdin;

    /** The environment, for HTTPS_PROXY / HTTP_PROXY / NO_PROXY. */
    final Map<String, String> environment;

    private HelmOciCli(InputStream stdin, Map<String, String> environment) {
        this.stdin = stdin;
        this.environment = environment;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.in, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command line and returns the exit code (separate from {@link #main} for tests). */
    public static int run(String[] args, InputStream stdin, PrintWriter out, PrintWriter err) {
        return run(args, stdin, out, err, System.getenv());
    }

    /** As {@link #run(String[], InputStream, PrintWriter, PrintWriter)} in the given environment. */
    public static int run(
            String[] args, InputStream stdin, PrintWriter out, PrintWriter err, Map<String, String> environment) {
        CommandLine cli = new CommandLine(new HelmOciCli(stdin, environment));
        cli.setOut(out).setErr(err);
        cli.setExecutionExceptionHandler((exception, commandLine, parseResult) -> {
            if (exception instanceof EngineException engineException) {
                Object command = commandLine.getCommand();
                Output output = command instanceof ChartCommand chartCommand ? chartCommand.output : Output.text;
                ResultPrinter.failure(engineException, output, commandLine.getOut(), commandLine.getErr());
                return EXIT_FAILURE;
            }
            throw exception;
        });
        return cli.execute(args);
    }

    /** Output format of {@code -o}. */
    enum Output {
        text,
        json
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = HelmOciCli.class.getPackage().getImplementationVersion();
            return new String[] {"helm-oci " + (version != null ? version : "(development build)")};
        }
    }
}
