package io.helmoci.cli;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.PullResult;
import io.helmoci.engine.verify.SignatureVerifier;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "pull",
        mixinStandardHelpOptions = true,
        description = "Resolve, download, verify and validate a chart, then write NAME-VERSION.tgz.")
final class PullCommand extends ChartCommand {
    @Option(
            names = "--digest",
            paramLabel = "sha256:HEX",
            description = "The manifest must have this digest, or the pull fails with DigestMismatch.")
    String digest;

    @Option(
            names = {"-d", "--destination"},
            paramLabel = "DIR",
            defaultValue = ".",
            description = "Directory to write the chart to (default: current directory).")
    Path destination;

    @Option(
            names = "--verify",
            description =
                    "Verify the signature (policy from the flags below) before writing the chart; an unverified chart is not written.")
    boolean verifySignature;

    @Mixin
    VerifyFlags verify;

    @Override
    public Integer call() {
        if (!verifySignature && verify.anyGiven()) {
            throw new picocli.CommandLine.ParameterException(
                    spec.commandLine(), "Signature policy flags need --verify.");
        }
        VerificationPolicy policy = verifySignature ? verify.toPolicy() : null;
        if (policy != null) {
            SignatureVerifier.forPolicy(policy); // a malformed policy fails before any request
        }
        try (ChartPuller puller = puller()) {
            PullRequest request = request(digest);
            PullResult result = puller.pull(request, TerminalProgress.forOutput(output, err()));
            // Verified after the download into the (digest-checked) cache, before anything is written out.
            VerificationResult verification =
                    policy == null ? null : puller.verify(request, result.resolution(), policy);
            Path file = copyOut(
                    result.path(),
                    destination.resolve(
                            result.chart().name() + "-" + result.chart().version() + ".tgz"));
            ResultPrinter.pulled(
                    result, file, availableVersions(puller, request, result.resolution()), verification, output, out());
        }
        return HelmOciCli.EXIT_OK;
    }

    /** Copies via a temporary file and a rename, so a reader never sees a half-written chart. */
    private static Path copyOut(Path verified, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), "." + target.getFileName(), ".tmp");
            try {
                Files.copy(verified, temp, StandardCopyOption.REPLACE_EXISTING);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }
}
