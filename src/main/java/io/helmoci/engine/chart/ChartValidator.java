package io.helmoci.engine.chart;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.version.HelmVersion;
import io.helmoci.engine.version.VersionSelector;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Checks a chart archive ({@code .tgz}) the way Helm's loader does before it will install it
 * (helm pkg/chart/loader archive.go and load.go, pkg/chart/metadata.go), reading it as a stream
 * so that nothing but the small metadata files is kept and every limit of {@link ChartLimits}
 * stops a hostile archive as soon as it is crossed.
 *
 * <p>Stricter than Helm, on purpose:
 * <ul>
 * <li>Exactly one top-level directory, named like the chart (Helm strips the first path component
 * of every entry whatever it is, merging different directories; {@code helm package} always
 * writes one directory named after the chart).</li>
 * <li>Symbolic links, hard links, devices, FIFOs and sparse files are refused. Helm reads a link
 * entry as a regular file with whatever data it carries; refusing links removes any chance of a
 * later extraction writing outside its directory.</li>
 * <li>{@code ..} anywhere in a path, control characters in names and duplicate paths are refused.</li>
 * <li>Chart.yaml {@code apiVersion} must be v1, v2 or v3 (Helm 3 loads any; Helm 4 and
 * {@code helm lint} refuse others).</li>
 * <li>The gzip stream is read to its end, so its checksum is verified (Helm stops at the end of
 * the tar data).</li>
 * <li>Subchart archives ({@code charts/*.tgz}) count against the same total and entry budget as
 * their parent (Helm gives each its own), and may nest at most {@value #MAX_SUBCHART_DEPTH} deep.</li>
 * </ul>
 * Not checked, as Helm only fails on them later or never: values.yaml and template syntax.
 */
public final class ChartValidator {
    static final int MAX_SUBCHART_DEPTH = 10;
    private static final Set<String> API_VERSIONS = Set.of("v1", "v2", "v3");
    private static final Pattern ALIAS = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final byte[] UTF8_BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int BUFFER = 64 * 1024;
    /** Decompressed tar bytes allowed per entry beyond file content: header, PAX/long-name headers, padding. */
    private static final long OVERHEAD_PER_ENTRY = 8 * 1024;

    private static final String REPACKAGE = "Package the chart again with 'helm package'";

    private final ChartLimits limits;

    public ChartValidator(ChartLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Validates the chart archive at {@code tgz} and returns its root chart's metadata (with the
     * dependencies of a v1 chart's requirements.yaml, as Helm merges them).
     *
     * @throws EngineException {@link Reason#InvalidChart} for a malformed archive or Chart.yaml,
     *                         {@link Reason#ChartTooLarge} when a limit is crossed
     * @throws UncheckedIOException if the file cannot be read at all
     */
    public ChartMetadata validate(Path tgz) {
        long size;
        try {
            size = Files.size(tgz);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chart archive " + tgz, e);
        }
        if (size > limits.maxArchiveBytes()) {
            throw tooLarge(
                    "the chart archive is " + size + " bytes compressed, over the limit of " + limits.maxArchiveBytes()
                            + " bytes",
                    "Shrink the chart, or raise " + limits.setting("maxArchiveBytes")
                            + " if a chart this big is expected");
        }
        try (InputStream in = Files.newInputStream(tgz)) {
            return new ArchiveScan(new Budget(limits), "", 0).run(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chart archive " + tgz, e);
        }
    }

    /**
     * Before any download: the config blob must name the repository's chart ({@code expectedName})
     * and, for a tag, hold the tag's version. The archive is compared with the config afterwards by
     * {@link #checkAgreement}; both checks live here, in one place.
     *
     * @param repository the repository, for the message
     * @param tag        the tag resolved, or null for a reference by digest
     * @throws EngineException {@link Reason#ChartMismatch}
     */
    public static void checkConfigAgreement(ChartMetadata config, String expectedName, String tag, String repository) {
        if (!expectedName.equals(config.name())) {
            throw new EngineException(
                    Reason.ChartMismatch,
                    "The config blob of " + repository + " names the chart '"
                            + config.name() + "', but the repository's last path segment is '" + expectedName
                            + "'. Helm requires them to be equal: push the chart to a repository ending in /"
                            + config.name()
                            + ", or reference the repository it was pushed to.");
        }
        if (tag != null
                && (config.version() == null
                        || !VersionSelector.tagFor(config.version()).equals(tag))) {
            throw new EngineException(
                    Reason.ChartMismatch,
                    "Tag " + tag + " of " + repository + " holds a chart whose config" + " blob says version '"
                            + config.version() + "'. Tag the chart with its version, as 'helm push' does.");
        }
    }

    /**
     * Checks that the chart is what its address says: the archive's Chart.yaml {@code name} equals
     * {@code expectedName} (the repository's last path segment) and the config blob's name; its
     * {@code version} equals the config blob's and {@code expectedVersion} (the tag or the version
     * asked for), reading {@code _} as {@code +}. Versions are compared as text, as Helm's push
     * requires the tag to be the chart version.
     *
     * @param config          the manifest's config blob, or null if not fetched
     * @param expectedName    the repository's last path segment, or null to skip
     * @param expectedVersion the tag or exact version, or null to skip (e.g. a pull by digest)
     * @throws EngineException {@link Reason#ChartMismatch}, naming which value came from where
     */
    public static void checkAgreement(
            ChartMetadata archive, ChartMetadata config, String expectedName, String expectedVersion) {
        Objects.requireNonNull(archive, "archive");
        if (expectedName != null && !expectedName.equals(archive.name())) {
            throw mismatch(
                    "the chart archive's Chart.yaml names the chart '" + archive.name() + "', but the repository's last"
                            + " path segment is '" + expectedName + "'",
                    "Helm requires them to be equal: push the chart to a repository" + " ending in /" + archive.name()
                            + ", or reference the repository it was pushed to");
        }
        if (config != null && !Objects.equals(config.name(), archive.name())) {
            throw mismatch(
                    "the manifest's config blob names the chart '" + config.name() + "', but the archive's Chart.yaml"
                            + " names it '" + archive.name() + "'",
                    "Push the chart with 'helm push', which writes the config from the" + " archive's Chart.yaml");
        }
        if (config != null && !sameVersion(config.version(), archive.version())) {
            throw mismatch(
                    "the manifest's config blob has version '" + config.version()
                            + "', but the archive's Chart.yaml has" + " version '" + archive.version() + "'",
                    "Push the chart with 'helm push', which writes the config from the" + " archive's Chart.yaml");
        }
        if (expectedVersion != null && !sameVersion(expectedVersion, archive.version())) {
            throw mismatch(
                    "the tag or requested version is '" + expectedVersion
                            + "', but the archive's Chart.yaml has version '" + archive.version() + "'",
                    "Tag the chart with its version (" + tagHint(archive.version())
                            + "), as 'helm push' does, or ask for the version the tag holds");
        }
    }

    private static String tagHint(String version) {
        return version == null ? "Chart.yaml has no version" : "tag " + VersionSelector.tagFor(version);
    }

    private static boolean sameVersion(String a, String b) {
        return a != null && b != null && VersionSelector.versionFor(a).equals(VersionSelector.versionFor(b));
    }

    /** What is left of the limits shared by an archive and the subchart archives inside it. */
    private static final class Budget {
        long totalBytes;
        long entries;
        long rawBytes;

        Budget(ChartLimits limits) {
            totalBytes = limits.maxTotalBytes();
            entries = limits.maxEntries();
            rawBytes = limits.maxTotalBytes() + limits.maxEntries() * OVERHEAD_PER_ENTRY + 1024 * 1024;
        }
    }

    /** One pass over one archive: the chart's, or a subchart archive inside it. */
    private final class ArchiveScan {
        private final Budget budget;
        /** Prefix for messages about entries of a subchart archive ("mychart/charts/sub-1.0.0.tgz: "), "" at the root. */
        private final String label;

        private final int depth;
        private String top;
        private final Set<String> files = new HashSet<>();
        private final Map<String, ChartMetadata> chartYamls = new HashMap<>();
        private final Map<String, List<ChartMetadata.Dependency>> requirements = new HashMap<>();
        /** Directory subcharts seen, as their path prefix inside the chart ("charts/sub/"). */
        private final Set<String> subchartDirs = new LinkedHashSet<>();

        ArchiveScan(Budget budget, String label, int depth) {
            this.budget = budget;
            this.label = label;
            this.depth = depth;
        }

        ChartMetadata run(InputStream compressed) throws IOException {
            GZIPInputStream gzip;
            try {
                gzip = new GZIPInputStream(compressed, BUFFER);
            } catch (ZipException | EOFException e) {
                throw invalid(
                        label + "the chart archive is not gzip-compressed data (" + e.getMessage() + ")",
                        "A chart is a .tgz file made by 'helm package'");
            }
            try {
                BoundedStream raw = new BoundedStream(gzip, budget, limits.setting("maxTotalBytes"));
                TarArchiveInputStream tar = new TarArchiveInputStream(raw, false);
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    read(tar, entry);
                }
                raw.transferTo(OutputStream.nullOutputStream()); // to the end: verifies the gzip checksum and length
            } catch (LimitReached e) {
                throw e.exception;
            } catch (IOException | IllegalArgumentException | IllegalStateException e) {
                // Reading our own file fails before this point or not at all, so this is about the content.
                throw invalid(
                        label + "the chart archive is truncated or corrupt (" + e.getMessage() + ")",
                        "Push the chart again; if that does not help, package it again with 'helm package'");
            }
            if (files.isEmpty()) {
                throw invalid(
                        label + "the chart archive contains no files (Helm: no files in chart archive)", REPACKAGE);
            }
            return finish();
        }

        private void read(TarArchiveInputStream tar, TarArchiveEntry entry) throws IOException {
            if (--budget.entries < 0) {
                throw tooLarge(
                        label + "the chart archive has more than " + limits.maxEntries() + " entries",
                        "Remove files from the chart, or raise " + limits.setting("maxEntries")
                                + " if a chart this big is expected");
            }
            // As Go's tar reader: a directory is type '5', or an old-style '\0' entry whose name ends in '/'.
            byte type = entry.getLinkFlag();
            boolean directory = type == TarConstants.LF_DIR
                    || type == TarConstants.LF_OLDNORM && entry.getName().endsWith("/");
            EntryPath path = EntryPath.parse(entry.getName(), directory, label);
            if (!directory) {
                requireRegularFile(entry);
            }
            if (top == null) {
                top = path.top();
            } else if (!top.equals(path.top())) {
                throw invalid(
                        label + "the archive has more than one top-level directory ('" + top + "' and '" + path.top()
                                + "'); a chart archive holds exactly one, named after the chart",
                        REPACKAGE);
            }
            if (directory) {
                return;
            }
            if (!files.add(path.path())) {
                throw invalid(label + "the archive contains " + path.display() + " more than once", REPACKAGE);
            }
            Place place = locate(path);
            byte[] content = readContent(tar, entry, path, place.needsContent());
            if (place.subchartArchive()) {
                readSubchartArchive(path, content);
            } else if (place.file().equals("Chart.yaml")) {
                chartYamls.put(place.chart(), MetadataReader.fromChartYaml(content, label + path.display()));
            } else if (place.file().equals("requirements.yaml")) {
                requirements.put(
                        place.chart(), MetadataReader.dependenciesFromRequirements(content, label + path.display()));
            }
        }

        private void requireRegularFile(TarArchiveEntry entry) {
            String name = label + "the entry " + EntryPath.quoted(entry.getName());
            String remedy = "Replace it with a regular file and package the chart again";
            if (entry.isSymbolicLink() || entry.isLink()) {
                throw invalid(
                        name + " is a " + (entry.isSymbolicLink() ? "symbolic" : "hard") + " link to "
                                + EntryPath.quoted(entry.getLinkName())
                                + ". Helm would read it as an ordinary file, but links are refused here so that no later extraction can"
                                + " be redirected outside the chart",
                        remedy);
            }
            if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                throw invalid(name + " is a device or FIFO, not a file", remedy);
            }
            if (entry.isSparse()) {
                throw invalid(name + " is a sparse file, which charts never need", remedy);
            }
            byte flag = entry.getLinkFlag();
            if (flag != TarConstants.LF_NORMAL && flag != TarConstants.LF_OLDNORM && flag != TarConstants.LF_CONTIG) {
                throw invalid(name + " has the unsupported tar entry type '" + (char) flag + "'", remedy);
            }
        }

        /** Reads an entry's data, counting every byte against the limits; keeps it only if {@code keep}. */
        private byte[] readContent(InputStream tar, TarArchiveEntry entry, EntryPath path, boolean keep)
                throws IOException {
            long declared = entry.getSize();
            if (declared > limits.maxFileBytes()) {
                throw fileTooLarge(path, declared);
            }
            if (declared > budget.totalBytes) {
                throw totalTooLarge(path);
            }
            ByteArrayOutputStream kept = keep ? new ByteArrayOutputStream((int) Math.min(declared, BUFFER)) : null;
            byte[] buffer = new byte[BUFFER];
            long size = 0;
            int n;
            while ((n = tar.read(buffer)) != -1) {
                size += n;
                budget.totalBytes -= n;
                if (size > limits.maxFileBytes()) {
                    throw fileTooLarge(path, size);
                }
                if (budget.totalBytes < 0) {
                    throw totalTooLarge(path);
                }
                if (kept != null) {
                    kept.write(buffer, 0, n);
                }
            }
            if (kept == null) {
                return null;
            }
            byte[] content = kept.toByteArray();
            // Helm strips a UTF-8 byte order mark from every file.
            return startsWithBom(content) ? Arrays.copyOfRange(content, UTF8_BOM.length, content.length) : content;
        }

        /** {@code size} is the size the tar header declares, or how far reading got when the file outgrew the limit. */
        private EngineException fileTooLarge(EntryPath path, long size) {
            return tooLarge(
                    label + path.display() + " is " + size + " bytes or more decompressed, over the per-file limit of "
                            + limits.maxFileBytes() + " bytes (Helm itself refuses files over 5 MiB)",
                    "Keep large data out of the chart, or raise " + limits.setting("maxFileBytes")
                            + " if the file is expected");
        }

        private EngineException totalTooLarge(EntryPath path) {
            return tooLarge(
                    label + "the chart is over " + limits.maxTotalBytes() + " bytes decompressed (Helm"
                            + " refuses charts over 100 MiB), reached at " + path.display(),
                    "Remove large files from the chart, or raise " + limits.setting("maxTotalBytes")
                            + " if a chart this big is expected");
        }

        private void readSubchartArchive(EntryPath path, byte[] content) throws IOException {
            String nestedLabel = label + path.display() + ": ";
            if (depth + 1 > MAX_SUBCHART_DEPTH) {
                throw invalid(
                        nestedLabel + "subchart archives are nested more than " + MAX_SUBCHART_DEPTH + " deep",
                        "Flatten the chart's dependencies");
            }
            new ArchiveScan(budget, nestedLabel, depth + 1).run(new ByteArrayInputStream(content));
        }

        /**
         * Which chart an entry belongs to, following Helm's LoadFiles: under {@code charts/}, a
         * {@code .tgz} is a subchart archive, a directory is a subchart (recursively), names starting
         * with {@code _} or {@code .} are skipped, and {@code .prov} files are plain files.
         */
        private Place locate(EntryPath path) {
            String chart = "";
            String rest = path.path();
            while (rest.startsWith("charts/") && !rest.endsWith(".prov")) {
                String inCharts = rest.substring("charts/".length());
                int slash = inCharts.indexOf('/');
                String subchart = slash < 0 ? inCharts : inCharts.substring(0, slash);
                if (subchart.startsWith("_") || subchart.startsWith(".")) {
                    break;
                }
                if (subchart.endsWith(".tgz")) {
                    if (slash >= 0) {
                        throw invalid(
                                label + path.display() + " is inside a directory named like a subchart archive ("
                                        + subchart + ")",
                                "Rename the directory: Helm fails to load it (error unpacking subchart tar)");
                    }
                    return new Place(chart, rest, true);
                }
                if (slash < 0) {
                    throw invalid(
                            label + path.display() + " is a file directly in " + chart
                                    + "charts/, where Helm expects only"
                                    + " subchart archives (.tgz), subchart directories and .prov files (Helm fails with: error unpacking"
                                    + " subchart " + subchart + ": Chart.yaml file is missing)",
                            "Move the file elsewhere or start its name" + " with _ so that Helm skips it");
                }
                chart = chart + "charts/" + subchart + "/";
                subchartDirs.add(chart);
                rest = inCharts.substring(slash + 1);
            }
            return new Place(chart, rest, false);
        }

        private ChartMetadata finish() {
            ChartMetadata root = chartYamls.get("");
            if (root == null) {
                throw invalid(
                        label + "the chart archive has no " + top + "/Chart.yaml (Helm: Chart.yaml file is missing)",
                        "Put Chart.yaml at the top of the chart directory and package the chart again");
            }
            root = withRequirements(root, "");
            validateMetadata(root, label + top + "/Chart.yaml");
            if (!top.equals(root.name())) {
                throw invalid(
                        label + "the chart directory in the archive is '" + top + "' but Chart.yaml names the chart '"
                                + root.name() + "'; 'helm package' always names the directory after the chart",
                        "Package the chart with 'helm package'");
            }
            for (String subchart : subchartDirs) {
                ChartMetadata metadata = chartYamls.get(subchart);
                if (metadata == null) {
                    throw invalid(
                            label + top + "/" + subchart + " is a subchart directory without a Chart.yaml (Helm: error"
                                    + " unpacking subchart: Chart.yaml file is missing)",
                            "Add the subchart's Chart.yaml, remove the"
                                    + " directory, or start its name with _ so that Helm skips it");
                }
                validateMetadata(withRequirements(metadata, subchart), label + top + "/" + subchart + "Chart.yaml");
            }
            return root;
        }

        private ChartMetadata withRequirements(ChartMetadata metadata, String chart) {
            List<ChartMetadata.Dependency> fromRequirements = requirements.get(chart);
            return fromRequirements == null ? metadata : metadata.withDependencies(fromRequirements);
        }
    }

    /** Where an entry belongs: the chart (prefix inside the archive's chart, "" for the root) and its path in that chart. */
    private record Place(String chart, String file, boolean subchartArchive) {
        boolean needsContent() {
            return subchartArchive || file.equals("Chart.yaml") || file.equals("requirements.yaml");
        }
    }

    /** Helm's {@code Metadata.Validate} rules, plus the supported apiVersions. */
    static void validateMetadata(ChartMetadata md, String file) {
        String fix = "Correct " + file + " and package the chart again";
        if (md.apiVersion() == null) {
            throw invalid(file + ": chart.metadata.apiVersion is required", fix);
        }
        if (!API_VERSIONS.contains(md.apiVersion())) {
            throw invalid(
                    file + ": apiVersion '" + md.apiVersion() + "' is not supported (Helm 3 charts use v2 or v1, Helm 4"
                            + " also v3)",
                    "Set apiVersion: v2 and package the chart again");
        }
        if (md.name() == null) {
            throw invalid(file + ": chart.metadata.name is required", fix);
        }
        if (md.name().equals(".") || md.name().equals("..")) {
            throw invalid(file + ": chart.metadata.name \"" + md.name() + "\" is not allowed", fix);
        }
        if (md.name().contains("/")) {
            throw invalid(
                    file + ": chart.metadata.name \"" + md.name() + "\" is invalid: a chart name cannot contain '/'",
                    fix);
        }
        if (md.version() == null) {
            throw invalid(file + ": chart.metadata.version is required", fix);
        }
        if (!HelmVersion.isLenient(md.version())) {
            throw invalid(
                    file + ": chart.metadata.version \"" + md.version() + "\" is not a valid semantic version",
                    "Set a version such as 1.2.3 (semver.org) and package the chart again");
        }
        if (md.type() != null && !md.type().equals("application") && !md.type().equals("library")) {
            throw invalid(
                    file + ": chart.metadata.type must be application or library, not \"" + md.type() + "\"", fix);
        }
        Set<String> keys = new HashSet<>();
        for (ChartMetadata.Dependency dependency : md.dependencies()) {
            if (dependency.alias() != null && !ALIAS.matcher(dependency.alias()).matches()) {
                throw invalid(
                        file + ": dependency \"" + dependency.name() + "\" has disallowed characters in the alias \""
                                + dependency.alias() + "\" (allowed: letters, digits, _ and -)",
                        fix);
            }
            String key = dependency.alias() != null ? dependency.alias() : dependency.name();
            if (!keys.add(String.valueOf(key))) {
                throw invalid(file + ": more than one dependency with name or alias \"" + key + "\"", fix);
            }
        }
    }

    private static boolean startsWithBom(byte[] content) {
        return content.length >= 3
                && content[0] == UTF8_BOM[0]
                && content[1] == UTF8_BOM[1]
                && content[2] == UTF8_BOM[2];
    }

    private static EngineException invalid(String problem, String remedy) {
        return MetadataReader.invalid(problem, remedy);
    }

    private static EngineException tooLarge(String problem, String remedy) {
        return new EngineException(Reason.ChartTooLarge, MetadataReader.sentence(problem) + " " + remedy + ".");
    }

    private static EngineException mismatch(String problem, String remedy) {
        return new EngineException(Reason.ChartMismatch, MetadataReader.sentence(problem) + " " + remedy + ".");
    }

    /** The decompressed tar stream, capped so that headers and padding (which no file size counts) stay bounded. */
    private static final class BoundedStream extends FilterInputStream {
        private final Budget budget;
        private final String totalSetting;

        BoundedStream(InputStream in, Budget budget, String totalSetting) {
            super(in);
            this.budget = budget;
            this.totalSetting = totalSetting;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b != -1) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            count(skipped);
            return skipped;
        }

        private void count(long n) throws LimitReached {
            budget.rawBytes -= n;
            if (budget.rawBytes < 0) {
                throw new LimitReached(tooLarge(
                        "the decompressed chart archive is over its limit (file data plus tar headers"
                                + " and padding: the decompressed limit plus " + OVERHEAD_PER_ENTRY
                                + " bytes per allowed entry)",
                        "Remove files from the chart, or raise " + totalSetting + " if a chart this big is expected"));
            }
        }
    }

    /** A limit reached inside the tar reader, thrown as an IOException so that the reader passes it through untouched. */
    private static final class LimitReached extends IOException {
        private final transient EngineException exception;

        LimitReached(EngineException exception) {
            super(exception.getMessage());
            this.exception = exception;
        }
    }
}
