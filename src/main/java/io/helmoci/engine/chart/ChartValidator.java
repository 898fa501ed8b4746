package io.helmoci.engine.chart;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public final class ChartValidator {
    private final ChartLimits limits;

    public ChartValidator(ChartLimits limits) {
        this.limits = limits;
    }

    public ChartMetadata validate(Path tgz) {
        try (InputStream file = Files.newInputStream(tgz);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().matches("[^/]+/Chart\\.yaml")) {
                    JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(tar.readAllBytes());
                    return new ChartMetadata(node.path("name").asText(null), node.path("version").asText(null), node.path("apiVersion").asText("v1"));
                }
            }
        } catch (IOException e) {
            throw new EngineException(Reason.InvalidChart, "not a chart: " + e.getMessage());
        }
        throw new EngineException(Reason.InvalidChart, "no Chart.yaml");
    }

    public static void checkAgreement(ChartMetadata archive, ChartMetadata config, String expectedName, String expectedVersion) {
        if (!expectedName.equals(config.name()) || !expectedName.equals(archive.name())
                || (expectedVersion != null && !expectedVersion.equals(archive.version()))) {
            throw new EngineException(Reason.ChartMismatch, "name/version mismatch");
        }
    }
}
