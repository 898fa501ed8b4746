package io.helmoci.engine.version;

import java.math.BigInteger;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.semver4j.Semver;

/**
 * A version as Helm reads it: Masterminds/semver v3 (v3.5.0, the one Helm 3.22 links) rules, with
 * semver4j doing the grammar check and holding the parts. Where the two libraries disagree, this
 * class follows Masterminds:
 * <ul>
 * <li><b>Lenient parsing</b> ({@link #lenient}, Masterminds {@code NewVersion}) accepts a leading
 * {@code v}, missing minor/patch ({@code 1.2} is 1.2.0) and leading zeros in the numbers
 * ({@code 01.2.3} is 1.2.3). semver4j's strict parser rejects the last two and its {@code coerce}
 * is far looser (it digs a version out of any text), so the input is matched against Masterminds'
 * own pattern and rebuilt in canonical form before semver4j parses it.</li>
 * <li><b>Strict parsing</b> ({@link #strict}, {@code StrictNewVersion}, used for tag listing)
 * rejects a leading {@code v} and surrounding whitespace; semver4j's parser accepts and strips
 * both.</li>
 * <li><b>Precedence</b> ({@link #compareTo}): semver4j compares digit runs inside alphanumeric
 * prerelease identifiers as numbers ({@code alpha10 > alpha9}); Masterminds and semver 2.0.0
 * compare such identifiers as ASCII strings ({@code alpha10 < alpha9}). Build metadata is ignored
 * by both.</li>
 * <li><b>Range of numbers</b>: Masterminds allows up to 2^64-1, semver4j up to 2^31-1. Versions
 * with a bigger major, minor or patch are treated as invalid here (no chart uses them).</li>
 * </ul>
 */
public final class HelmVersion implements Comparable<HelmVersion> {
    /** Masterminds' {@code MaxVersionLen}. */
    static final int MAX_LENGTH = 256;

    /** Masterminds' {@code looseSemVerRegex}, used by {@code NewVersion} (coercing mode, the default). */
    private static final Pattern LOOSE = Pattern.compile("v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
            + "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?");

    private static final Pattern DIGITS = Pattern.compile("[0-9]+");
    private static final BigInteger UINT64_MAX = new BigInteger("18446744073709551615");

    private final Semver semver;
    private final String original;

    private HelmVersion(Semver semver, String original) {
        this.semver = semver;
        this.original = original;
    }

    /** Masterminds {@code NewVersion}: what Helm accepts as a chart version or as an exact {@code --version}. */
    public static Optional<HelmVersion> lenient(String text) {
        if (text == null || text.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        Matcher m = LOOSE.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        String pre = m.group(5);
        String build = m.group(8);
        if (pre != null && !validPrerelease(pre) || build != null && !validBuild(build)) {
            return Optional.empty();
        }
        String major = number(m.group(1));
        String minor = number(trimDot(m.group(2)));
        String patch = number(trimDot(m.group(3)));
        if (major == null || minor == null || patch == null) {
            return Optional.empty();
        }
        StringBuilder canonical = new StringBuilder()
                .append(major)
                .append('.')
                .append(minor)
                .append('.')
                .append(patch);
        if (pre != null) {
            canonical.append('-').append(pre);
        }
        if (build != null) {
            canonical.append('+').append(build);
        }
        return parseCanonical(canonical.toString(), text);
    }

    /** Masterminds {@code StrictNewVersion}: a semver 2.0.0 version, exactly; what Helm lists from tags. */
    public static Optional<HelmVersion> strict(String text) {
        if (text == null
                || text.isEmpty()
                || text.length() > MAX_LENGTH
                || text.charAt(0) < '0'
                || text.charAt(0) > '9'
                || Character.isWhitespace(text.charAt(text.length() - 1))) {
            return Optional.empty();
        }
        return parseCanonical(text, text);
    }

    public static boolean isLenient(String text) {
        return lenient(text).isPresent();
    }

    public static boolean isStrict(String text) {
        return strict(text).isPresent();
    }

    private static Optional<HelmVersion> parseCanonical(String canonical, String original) {
        Semver parsed = Semver.parse(canonical);
        return parsed == null ? Optional.empty() : Optional.of(new HelmVersion(parsed, original));
    }

    /** A number segment without its leading zeros, or "0" when absent; null (invalid) when over uint64. */
    private static String number(String digits) {
        if (digits == null || digits.isEmpty()) {
            return "0";
        }
        // Over uint64 Masterminds fails too; between int and uint64 semver4j rejects the result.
        BigInteger value = new BigInteger(digits);
        return value.compareTo(UINT64_MAX) > 0 ? null : value.toString();
    }

    private static String trimDot(String group) {
        return group == null ? null : group.substring(1);
    }

    /** Masterminds {@code validatePrerelease}: non-empty identifiers, numeric ones without leading zeros. */
    private static boolean validPrerelease(String pre) {
        for (String part : pre.split("\\.", -1)) {
            if (part.isEmpty() || DIGITS.matcher(part).matches() && part.length() > 1 && part.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    private static boolean validBuild(String build) {
        for (String part : build.split("\\.", -1)) {
            if (part.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    public int major() {
        return semver.getMajor();
    }

    public int minor() {
        return semver.getMinor();
    }

    public int patch() {
        return semver.getPatch();
    }

    /** The prerelease without its dash, or "" for a release. */
    public String prerelease() {
        return String.join(".", semver.getPreRelease());
    }

    /** The build metadata without its plus, or "". */
    public String build() {
        return String.join(".", semver.getBuild());
    }

    public boolean isPrerelease() {
        return !semver.getPreRelease().isEmpty();
    }

    /** The text this was parsed from. */
    public String original() {
        return original;
    }

    /** Canonical form, as Masterminds {@code String()}: no {@code v}, all three numbers, {@code +} for build. */
    @Override
    public String toString() {
        return semver.getVersion();
    }

    /** Masterminds {@code Compare}: numbers, then prerelease precedence; build metadata ignored. */
    @Override
    public int compareTo(HelmVersion other) {
        int c = Integer.compare(major(), other.major());
        if (c == 0) {
            c = Integer.compare(minor(), other.minor());
        }
        if (c == 0) {
            c = Integer.compare(patch(), other.patch());
        }
        if (c != 0) {
            return c;
        }
        String mine = prerelease();
        String theirs = other.prerelease();
        if (mine.isEmpty() || theirs.isEmpty()) {
            return mine.isEmpty() == theirs.isEmpty() ? 0 : mine.isEmpty() ? 1 : -1;
        }
        return comparePrerelease(mine, theirs);
    }

    /** Masterminds {@code comparePrerelease}: identifier by identifier; a missing identifier sorts first. */
    static int comparePrerelease(String a, String b) {
        List<String> left = List.of(a.split("\\.", -1));
        List<String> right = List.of(b.split("\\.", -1));
        for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
            int c = comparePart(i < left.size() ? left.get(i) : "", i < right.size() ? right.get(i) : "");
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /**
     * Masterminds {@code comparePrePart}: numbers (that fit uint64) compare numerically and sort before
     * text; text compares as ASCII strings.
     */
    private static int comparePart(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.isEmpty() || b.isEmpty()) {
            return a.isEmpty() ? -1 : 1;
        }
        BigInteger na = uint64(a);
        BigInteger nb = uint64(b);
        if (na == null && nb == null) {
            return a.compareTo(b) > 0 ? 1 : -1;
        }
        if (na == null || nb == null) {
            return na == null ? 1 : -1;
        }
        return na.compareTo(nb) > 0 ? 1 : -1;
    }

    private static BigInteger uint64(String s) {
        if (!DIGITS.matcher(s).matches()) {
            return null;
        }
        BigInteger value = new BigInteger(s);
        return value.compareTo(UINT64_MAX) > 0 ? null : value;
    }

    /** Equal precedence and the same build metadata (compareTo ignores the build). */
    @Override
    public boolean equals(Object o) {
        return o instanceof HelmVersion other && compareTo(other) == 0 && build().equals(other.build());
    }

    @Override
    public int hashCode() {
        return Objects.hash(major(), minor(), patch(), prerelease(), build());
    }
}
