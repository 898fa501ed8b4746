package io.helmoci.engine.version;

import java.util.List;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;

// PLACEHOLDER until branch engine-core lands; deleted on merge.
public final class VersionSelector {
    public record Selection(String version, String tag) {
    }

    private VersionSelector() {
    }

    public static String tagFor(String version) {
        return version.replace('+', '_');
    }

    public static String versionFor(String tag) {
        return tag.replace('_', '+');
    }

    public static List<String> availableVersions(List<String> tags) {
        return tags.stream().map(VersionSelector::versionFor).filter(VersionSelector::isExactVersion).sorted(java.util.Comparator.reverseOrder()).toList();
    }

    public static boolean isExactVersion(String version) {
        return version != null && version.matches("\\d+\\.\\d+\\.\\d+([-+].*)?");
    }

    public static Selection select(List<String> tags, String requested, boolean includePrereleases) {
        List<String> versions = availableVersions(tags);
        if (versions.isEmpty()) {
            throw new EngineException(Reason.NoMatchingVersion, "no versions");
        }
        return new Selection(versions.get(0), tagFor(versions.get(0)));
    }

    public static String nearestVersionsHint(List<String> tags, String requested) {
        return "Available versions: " + availableVersions(tags) + ".";
    }
}
