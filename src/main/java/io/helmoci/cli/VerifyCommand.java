package io.helmoci.cli;

import io.helmoci.engine.ChartPuller;
import io.helmoci.engine.PullRequest;
import io.helmoci.engine.Resolution;
import io.helmoci.engine.verify.SignatureVerifier;
import io.helmoci.engine.verify.VerificationPolicy;
import io.helmoci.engine.verify.VerificationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description =
                "Resolve a chart and verify who signed its manifest digest (cosign, notation or Helm provenance), without downloading the chart.")
final class VerifyCommand extends ChartCommand {
    @Option(
            names = "--digest",
            paramLabel = "sha256:HEX",
            description = "The manifest must have this digest, or verification fails with DigestMismatch.")
    String digest;

    @Mixin
    VerifyFlags verify;

    @Override
    public Integer call() {
        VerificationPolicy policy = verify.toPolicy();
        SignatureVerifier.forPolicy(policy); // a malformed policy fails before any request
        try (ChartPuller puller = puller()) {
            PullRequest request = request(digest);
            Resolution resolution = puller.inspect(request);
            VerificationResult result = puller.verify(request, resolution, policy);
            ResultPrinter.verified(resolution, result, output, out());
        }
        return HelmOciCli.EXIT_OK;
    }
}
