package io.helmoci.engine.version;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Chooses the chart version (and its tag) as Helm does for OCI repositories (helm pkg/registry
 * {@code Client.Tags}, {@code ValidateReference}, {@code GetTagMatchingVersionOrConstraint}).
 *
 * <p>Flow for callers: if {@link #isExactVersion} is true, Helm uses {@link #tagFor}(version) as
 * the tag without listing; on a 404 throw {@link Reason#VersionNotFound} with
 * {@link #nearestVersionsHint}. Otherwise list the tags and call {@link #select}.
 *
 * <p>Differences from Helm, on purpose: {@code includePrereleases} also applies to a non-empty
 * range (Helm's {@code --devel} is ignored when {@code --version} is given); a requested version
 * written with {@code _} (a tag) is read with {@code +}; surrounding whitespace is ignored.
 */
public final class VersionSelector {
    /** What Helm asks for with {@code --devel} and no version. */
    static final String DEVEL_RANGE = ">0.0.0-0";

    private static final int HINT_COUNT = 5;
    private static final Pattern VERSION_IN_RANGE = Pattern.compile("([0-9]+)(\\.([0-9]+|[xX*]))?(\\.([0-9]+|[xX*]))?");

    /** The chosen version ({@code +} for build metadata) and the tag that holds it ({@code _}). */
    public record Selection(String version, String tag) {}

    private record Candidate(HelmVersion version, String tag) {}

    private VersionSelector() {}

    /** The tag for a chart version: OCI tags cannot hold {@code +}, so Helm writes it as {@code _}. */
    public static String tagFor(String version) {
        return version.replace('+', '_');
    }

    /** The chart version a tag stands for ({@code _} back to {@code +}). */
    public static String versionFor(String tag) {
        return tag.replace('_', '+');
    }

    /**
     * The tags Helm can choose from, as versions, newest first: tags that are strict semver once
     * {@code _} reads as {@code +} ({@code latest}, {@code v1.2.3}, {@code 1.2} are dropped).
     * Versions differing only in build metadata have equal precedence and keep the order of
     * {@code tags} (the registry's lexical order); Helm's unstable sort gives the same order for
     * such inputs (checked against Masterminds v3.5.0 with up to 20 equal versions).
     */
    public static List<String> availableVersions(List<String> tags) {
        return candidates(tags).stream().map(c -> c.version().toString()).toList();
    }

    /**
     * Whether Helm uses {@code requested} literally as the tag (Masterminds lenient parse succeeds:
     * {@code 1.2}, {@code v1.2.3}, {@code 1.2.3+build}); false for ranges, empty and non-versions.
     */
    public static boolean isExactVersion(String requested) {
        return requested != null && HelmVersion.isLenient(requested);
    }

    /**
     * Picks the version for {@code requested} from the repository's {@code tags}: empty or null means
     * the newest release ({@code *}, or {@code >0.0.0-0} with {@code includePrereleases}); an exact
     * version whose tag exists is taken as is; otherwise the highest version satisfying the range
     * (Masterminds syntax). Prereleases match only when the range names one or
     * {@code includePrereleases} is set. Tags that are not semver never match a range.
     *
     * @throws EngineException {@link Reason#InvalidVersion} for text that is neither a version nor a
     *                         range, {@link Reason#VersionNotFound} for an exact version without a
     *                         tag, {@link Reason#NoMatchingVersion} when nothing satisfies the range;
     *                         messages list the nearest available versions
     */
    public static Selection select(List<String> tags, String requested, boolean includePrereleases) {
        String wanted = requested == null ? "" : versionFor(requested.strip());
        boolean exact = isExactVersion(wanted);
        if (exact && tags.contains(tagFor(wanted))) {
            return new Selection(wanted, tagFor(wanted));
        }
        HelmConstraint constraint =
                wanted.isEmpty() ? HelmConstraint.parse(includePrereleases ? DEVEL_RANGE : "*") : parseRange(wanted);
        List<Candidate> candidates = candidates(tags);
        Optional<Candidate> chosen = firstMatch(candidates, constraint, includePrereleases);
        if (chosen.isPresent()) {
            return new Selection(chosen.get().version().toString(), chosen.get().tag());
        }
        String shown = wanted.isEmpty() ? "the newest version" : "version \"" + wanted + "\"";
        StringBuilder message = new StringBuilder();
        if (exact) {
            message.append("No tag holds ")
                    .append(shown)
                    .append(" (looked for tag \"")
                    .append(tagFor(wanted))
                    .append("\" and for versions equal to it). ");
        } else {
            message.append("No tag satisfies ").append(shown).append(". ");
        }
        if (!includePrereleases) {
            firstMatch(candidates, constraint, true)
                    .ifPresent(
                            pre -> message.append("Prereleases were excluded; ")
                                    .append(pre.version())
                                    .append(
                                            " would match if prereleases are included (or name a prerelease in the range, e.g. \">=1.0.0-0\"). "));
        }
        message.append(nearestVersionsHint(tags, wanted))
                .append(
                        exact
                                ? " Ask for one of the available versions, or push the missing one."
                                : " Choose one of the available versions or widen the range.");
        throw new EngineException(exact ? Reason.VersionNotFound : Reason.NoMatchingVersion, message.toString());
    }

    /**
     * One sentence naming the available versions nearest to {@code requested} (up to 5 below and 5
     * at or above it; the newest ones when {@code requested} holds no version), or saying that the
     * repository has no semver tags. For messages after a tag was not found.
     */
    public static String nearestVersionsHint(List<String> tags, String requested) {
        List<Candidate> candidates = candidates(tags);
        if (candidates.isEmpty()) {
            if (tags.isEmpty()) {
                return "The repository has no tags.";
            }
            return "The repository has no semver tags (found " + sample(tags)
                    + "); Helm only chooses among tags that are"
                    + " semver versions such as 1.2.3, so pin any other tag by digest.";
        }
        Optional<HelmVersion> pivot = pivot(requested);
        if (pivot.isEmpty()) {
            return "Newest available versions: " + names(candidates.subList(0, Math.min(HINT_COUNT, candidates.size())))
                    + ".";
        }
        List<Candidate> lower = candidates.stream()
                .filter(c -> c.version().compareTo(pivot.get()) < 0)
                .limit(HINT_COUNT)
                .toList();
        List<Candidate> upper = new ArrayList<>(candidates.stream()
                .filter(c -> c.version().compareTo(pivot.get()) >= 0)
                .toList());
        upper = upper.subList(Math.max(0, upper.size() - HINT_COUNT), upper.size());
        StringBuilder hint = new StringBuilder("Available versions nearest to ")
                .append(pivot.get())
                .append(": ");
        if (!upper.isEmpty()) {
            hint.append(names(upper)).append(" (same or higher)");
        }
        if (!lower.isEmpty()) {
            hint.append(upper.isEmpty() ? "" : "; ").append(names(lower)).append(" (lower)");
        }
        if (lower.size() + upper.size() < candidates.size()) {
            hint.append("; ")
                    .append(candidates.size())
                    .append(" versions in total, newest ")
                    .append(candidates.get(0).version());
        }
        return hint.append('.').toString();
    }

    private static HelmConstraint parseRange(String wanted) {
        try {
            return HelmConstraint.parse(wanted);
        } catch (IllegalArgumentException e) {
            throw new EngineException(
                    Reason.InvalidVersion,
                    "\"" + wanted + "\" is neither a semver version nor a version range ("
                            + e.getMessage()
                            + "). Use an exact version such as 1.2.3, a range such as ^1.2, ~1.2.3, >=1.0.0 <2.0.0,"
                            + " 1.2.x or *, or leave the version empty for the newest release; Helm cannot select tags such as"
                            + " 'latest' that are not versions, so pin those by digest.");
        }
    }

    private static Optional<Candidate> firstMatch(
            List<Candidate> candidates, HelmConstraint constraint, boolean includePrereleases) {
        return candidates.stream()
                .filter(c -> constraint.matches(c.version(), includePrereleases))
                .findFirst();
    }

    private static List<Candidate> candidates(List<String> tags) {
        List<Candidate> candidates = new ArrayList<>();
        for (String tag : tags) {
            HelmVersion.strict(versionFor(tag)).ifPresent(v -> candidates.add(new Candidate(v, tag)));
        }
        candidates.sort(Comparator.comparing(Candidate::version).reversed()); // stable: ties keep tag order
        return candidates;
    }

    /** The version a request is about: itself, or the first version written in a range. */
    private static Optional<HelmVersion> pivot(String requested) {
        if (requested == null || requested.isBlank()) {
            return Optional.empty();
        }
        String wanted = versionFor(requested.strip());
        Optional<HelmVersion> exact = HelmVersion.lenient(wanted);
        if (exact.isPresent()) {
            return exact;
        }
        Matcher m = VERSION_IN_RANGE.matcher(wanted);
        return m.find() ? HelmVersion.lenient(m.group().replaceAll("[xX*]", "0")) : Optional.empty();
    }

    private static String names(List<Candidate> candidates) {
        return candidates.stream().map(c -> c.version().toString()).collect(Collectors.joining(", "));
    }

    private static String sample(List<String> tags) {
        String shown = tags.stream().limit(HINT_COUNT).collect(Collectors.joining(", "));
        return tags.size() > HINT_COUNT ? shown + " and " + (tags.size() - HINT_COUNT) + " more" : shown;
    }
}
