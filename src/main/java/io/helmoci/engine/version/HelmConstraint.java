package io.helmoci.engine.version;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A version range as Helm reads it: the grammar and matching rules of Masterminds/semver v3.5.0
 * {@code NewConstraint}/{@code Check}, over {@link HelmVersion}s.
 *
 * <p>semver4j's ranges follow npm, which differs from Masterminds in ways that change which chart
 * version is picked, so the grammar is translated here rather than handed to semver4j:
 * <ul>
 * <li>A comma is an AND like a space ({@code >=1.0, <2.0}); npm has no comma.</li>
 * <li>{@code !=} (with wildcards: {@code !=1.x}), {@code =>} and {@code =<} exist; not in npm.</li>
 * <li>Prereleases: a prerelease version matches only if some comparator of the same {@code ||} group
 * names a prerelease, of any version; npm also requires the same major.minor.patch. With
 * {@code includePrereleases} (Masterminds {@code IncludePrerelease}) every group accepts them, so
 * {@code <2.0.0} then matches {@code 2.0.0-rc.1}.</li>
 * <li>Wildcards with operators keep Masterminds' meaning ({@code >1.2.x} is {@code >=1.3.0},
 * {@code <=1.2} is {@code <1.3.0}), {@code ~0.0.0} and {@code ~*} match everything, and
 * {@code ^*} only matches 0.0.x (a Masterminds quirk Helm inherits).</li>
 * <li>{@code 1.2-1.3} without spaces is the version 1.2 with prerelease {@code 1.3}, not a range;
 * only {@code a - b} with spaces is a hyphen range ({@code >= a, <= b}).</li>
 * <li>At most 512 characters and 32 {@code ||} groups, as in Masterminds.</li>
 * </ul>
 */
public final class HelmConstraint {
    static final int MAX_LENGTH = 512;
    static final int MAX_GROUPS = 32;

    // The patterns below are Masterminds' own (constraints.go), so the same text parses the same way;
    // WS is Go's \s, which unlike Java's excludes the vertical tab.
    private static final String WS = "[\\t\\n\\f\\r ]";
    private static final String OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
    private static final String CV = "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
            + "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
    private static final Pattern CONSTRAINT =
            Pattern.compile("^" + WS + "*(" + OPS + ")" + WS + "*(" + CV + ")" + WS + "*$");
    private static final Pattern RANGE =
            Pattern.compile(WS + "*(" + CV + ")" + WS + "+-" + WS + "+(" + CV + ")" + WS + "*");
    private static final Pattern FIND = Pattern.compile("(" + OPS + ")" + WS + "*(" + CV + ")");
    private static final Pattern VALID_GROUP = Pattern.compile("^(" + WS + "*(" + OPS + ")" + WS + "*(" + CV + ")" + WS
            + "*)((?:" + WS + "+|," + WS + "*)(" + OPS + ")" + WS + "*(" + CV + ")" + WS + "*)*$");

    private final String text;
    private final List<List<Comparator>> groups;
    private final List<Boolean> groupNamesPrerelease;

    private HelmConstraint(String text, List<List<Comparator>> groups, List<Boolean> groupNamesPrerelease) {
        this.text = text;
        this.groups = groups;
        this.groupNamesPrerelease = groupNamesPrerelease;
    }

    /**
     * Parses a range the way Masterminds {@code NewConstraint} does.
     *
     * @throws IllegalArgumentException with Masterminds' complaint, e.g. {@code improper constraint: "latest"}
     */
    public static HelmConstraint parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("constraint string is too long (max " + MAX_LENGTH + " characters)");
        }
        String rewritten = rewriteHyphenRanges(text);
        String[] ors = rewritten.split("\\|\\|", -1);
        if (ors.length > MAX_GROUPS) {
            throw new IllegalArgumentException("too many constraint groups (max " + MAX_GROUPS + " joined by ||)");
        }
        List<List<Comparator>> groups = new ArrayList<>();
        List<Boolean> namesPrerelease = new ArrayList<>();
        for (String or : ors) {
            if (!VALID_GROUP.matcher(or).matches()) {
                throw new IllegalArgumentException("improper constraint: \"" + or + "\"");
            }
            List<Comparator> group = new ArrayList<>();
            Matcher found = FIND.matcher(or);
            while (found.find()) {
                group.add(Comparator.parse(found.group()));
            }
            groups.add(List.copyOf(group));
            namesPrerelease.add(group.stream().anyMatch(c -> c.bound.isPrerelease()));
        }
        return new HelmConstraint(text, List.copyOf(groups), List.copyOf(namesPrerelease));
    }

    /** Masterminds {@code rewriteRange}: {@code a - b} becomes {@code >= a, <= b}. */
    private static String rewriteHyphenRanges(String text) {
        Matcher m = RANGE.matcher(text);
        List<String[]> replacements = new ArrayList<>();
        while (m.find()) {
            replacements.add(new String[] {m.group(), ">= " + m.group(1) + ", <= " + m.group(11) + " "});
        }
        String out = text;
        for (String[] r : replacements) {
            int at = out.indexOf(r[0]);
            out = out.substring(0, at) + r[1] + out.substring(at + r[0].length());
        }
        return out;
    }

    /** Masterminds {@code Check}, with {@code IncludePrerelease} set to {@code includePrereleases}. */
    public boolean matches(HelmVersion version, boolean includePrereleases) {
        for (int i = 0; i < groups.size(); i++) {
            boolean includePre = includePrereleases || groupNamesPrerelease.get(i);
            if (groups.get(i).stream().allMatch(c -> c.check(version, includePre))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return text;
    }

    /** One operator and version; the "dirty" flags mark wildcard or missing minor/patch, as in Masterminds. */
    private static final class Comparator {
        private final String op;
        private final HelmVersion bound;
        private final boolean dirty;
        private final boolean minorDirty;
        private final boolean patchDirty;

        private Comparator(String op, HelmVersion bound, boolean dirty, boolean minorDirty, boolean patchDirty) {
            this.op = op;
            this.bound = bound;
            this.dirty = dirty;
            this.minorDirty = minorDirty;
            this.patchDirty = patchDirty;
        }

        /** Masterminds {@code parseConstraint}. */
        static Comparator parse(String text) {
            Matcher m = CONSTRAINT.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("improper constraint: \"" + text + "\"");
            }
            String major = m.group(3);
            String minor = m.group(4) == null ? "" : m.group(4);
            String patch = m.group(5) == null ? "" : m.group(5);
            String pre = m.group(6) == null ? "" : m.group(6);
            String version = m.group(2);
            boolean dirty = false;
            boolean minorDirty = false;
            boolean patchDirty = false;
            if (isX(major)) {
                version = "0.0.0" + pre;
                dirty = true;
            } else if (minor.isEmpty() || isX(minor.substring(1))) {
                version = major + ".0.0" + pre;
                dirty = true;
                minorDirty = true;
            } else if (patch.isEmpty() || isX(patch.substring(1))) {
                version = major + minor + ".0" + pre;
                dirty = true;
                patchDirty = true;
            }
            HelmVersion bound = HelmVersion.lenient(version)
                    .orElseThrow(() -> new IllegalArgumentException(
                            "improper constraint: \"" + text.strip() + "\" (invalid version)"));
            return new Comparator(m.group(1), bound, dirty, minorDirty, patchDirty);
        }

        private static boolean isX(String s) {
            return s.equals("x") || s.equals("X") || s.equals("*");
        }

        boolean check(HelmVersion v, boolean includePre) {
            if (v.isPrerelease() && !includePre) {
                return false;
            }
            return switch (op) {
                case "", "=" -> dirty ? tilde(v) : v.compareTo(bound) == 0;
                case "!=" -> notEqual(v);
                case ">" -> greaterThan(v);
                case "<" -> v.compareTo(bound) < 0;
                case ">=", "=>" -> v.compareTo(bound) >= 0;
                case "<=", "=<" -> lessThanOrEqual(v);
                case "~", "~>" -> tilde(v);
                case "^" -> caret(v);
                default -> throw new IllegalStateException("operator " + op);
            };
        }

        private boolean notEqual(HelmVersion v) {
            if (dirty) {
                if (bound.major() != v.major()) {
                    return true;
                }
                if (bound.minor() != v.minor() && !minorDirty) {
                    return true;
                } else if (minorDirty) {
                    return false;
                } else if (bound.patch() != v.patch() && !patchDirty) {
                    return true;
                } else if (patchDirty) {
                    if (v.isPrerelease() || bound.isPrerelease()) {
                        return HelmVersion.comparePrerelease(v.prerelease(), bound.prerelease()) != 0;
                    }
                    return false;
                }
            }
            return v.compareTo(bound) != 0;
        }

        private boolean greaterThan(HelmVersion v) {
            if (!dirty) {
                return v.compareTo(bound) > 0;
            }
            if (v.major() != bound.major()) {
                return v.major() > bound.major();
            }
            if (minorDirty) {
                return false;
            }
            if (patchDirty) {
                return v.minor() > bound.minor();
            }
            return v.compareTo(bound) > 0;
        }

        private boolean lessThanOrEqual(HelmVersion v) {
            if (!dirty) {
                return v.compareTo(bound) <= 0;
            }
            if (v.major() > bound.major()) {
                return false;
            }
            return !(v.major() == bound.major() && v.minor() > bound.minor() && !minorDirty);
        }

        private boolean tilde(HelmVersion v) {
            if (v.compareTo(bound) < 0) {
                return false;
            }
            if (bound.major() == 0 && bound.minor() == 0 && bound.patch() == 0 && !minorDirty && !patchDirty) {
                return true;
            }
            if (v.major() != bound.major()) {
                return false;
            }
            return v.minor() == bound.minor() || minorDirty;
        }

        private boolean caret(HelmVersion v) {
            if (v.compareTo(bound) < 0) {
                return false;
            }
            if (bound.major() > 0 || minorDirty) {
                return v.major() == bound.major();
            }
            if (v.major() > 0) {
                return false;
            }
            if (bound.minor() > 0 || patchDirty) {
                return v.minor() == bound.minor();
            }
            if (v.minor() > 0) {
                return false;
            }
            return v.patch() == bound.patch();
        }
    }
}
