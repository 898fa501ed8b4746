package io.helmoci.engine.chart;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public record ChartMetadata(String name, String version, String apiVersion) {
    public static ChartMetadata fromConfigJson(byte[] json) {
        try {
            JsonNode node = new ObjectMapper().readTree(json);
            return new ChartMetadata(node.path("name").asText(null), node.path("version").asText(null), node.path("apiVersion").asText("v1"));
        } catch (IOException e) {
            throw new EngineException(Reason.InvalidChart, "config is not JSON");
        }
    }
}
