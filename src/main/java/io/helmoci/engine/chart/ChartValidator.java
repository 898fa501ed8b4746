package io.helmoci.engine.chart;

import java.nio.file.Path;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public final class ChartValidator {
    private final ChartLimits limits;

    public ChartValidator(ChartLimits limits) {
        this.limits = limits;
    }

    public ChartMetadata validate(Path tgz) {
        throw new UnsupportedOperationException("placeholder");
    }

    public static void checkAgreement(ChartMetadata archive, ChartMetadata config, String expectedName, String expectedVersion) {
    }
}
