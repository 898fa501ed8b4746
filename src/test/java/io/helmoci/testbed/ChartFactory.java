package io.helmoci.testbed;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Makes real chart archives: {@code helm create}, then Chart.yaml edited per {@link ChartSpec}, then {@code helm package}. */
public final class ChartFactory {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PACKAGED = Pattern.compile("saved it to: (.+\\.tgz)\\s*$", Pattern.MULTILINE);
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final HelmCli helm;
    private final Path workDir;

    public ChartFactory(HelmCli helm, Path workDir) {
        this.helm = helm;
        this.workDir = workDir;
    }

    public Path create(String name, String version) {
        return create(ChartSpec.of(name, version));
    }

    /** Returns the packaged {@code <name>-<version>.tgz}, in a directory of its own. */
    public Path create(ChartSpec spec) {
        return packageChart(spec, List.of());
    }

    /**
     * {@code helm package --sign} with {@code key} from the GnuPG secret keyring {@code secretKeyring}:
     * the packaged {@code <name>-<version>.tgz}, its {@code .prov} beside it, in a directory of its own.
     */
    public Path createSigned(ChartSpec spec, Gpg.Key key, Path secretKeyring) {
        Path tgz = packageChart(spec, List.of("--sign", "--key", key.userId(), "--keyring", secretKeyring.toString()));
        if (!Files.exists(tgz.resolveSibling(tgz.getFileName() + ".prov"))) {
            throw new IllegalStateException("helm package --sign wrote no provenance file beside " + tgz);
        }
        return tgz;
    }

    private Path packageChart(ChartSpec spec, List<String> flags) {
        Path source = chartDirectory(spec);
        Path out = workDir.resolve("packaged-" + COUNTER.incrementAndGet());
        List<String> args = new ArrayList<>(List.of("package"));
        args.addAll(flags);
        args.addAll(List.of(source.toString(), "-d", out.toString()));
        ProcessRunner.Result result = helm.run(args).orThrow();
        Matcher matcher = PACKAGED.matcher(result.stdout());
        if (!matcher.find()) {
            throw new IllegalStateException("unexpected helm package output: " + result.stdout());
        }
        return Path.of(matcher.group(1).trim());
    }

    /** {@code helm create} plus the Chart.yaml edits, unpackaged (to add files before {@code helm package}). */
    public Path chartDirectory(ChartSpec spec) {
        Path parent = workDir.resolve("src-" + COUNTER.incrementAndGet());
        // helm create validates the name; scaffold under a safe one, the Chart.yaml name is set below.
        Path dir = parent.resolve(safeName(spec.name()));
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        helm.run(List.of("create", dir.toString())).orThrow();
        Path chartYaml = dir.resolve("Chart.yaml");
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> chart = YAML.readValue(chartYaml.toFile(), LinkedHashMap.class);
            spec.fields().forEach((key, value) -> {
                if (value == null) {
                    chart.remove(key);
                } else {
                    chart.put(key, value);
                }
            });
            YAML.writeValue(chartYaml.toFile(), chart);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot edit " + chartYaml, e);
        }
        return dir;
    }

    /**
     * The Chart.yaml text inside a packaged chart (first {@code <top>/Chart.yaml} entry). Reads gzip
     * with the JDK: commons-compress 1.28 rejects helm's archives, whose gzip FEXTRA field is not
     * made of RFC 1952 subfields ("Extra subfield lenght exceeds remaining bytes").
     */
    public static String chartYaml(Path chartTgz) {
        try (InputStream file = Files.newInputStream(chartTgz);
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(file))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (entry.getName().matches("[^/]+/Chart\\.yaml")) {
                    return new String(tar.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + chartTgz, e);
        }
        throw new IllegalStateException("no Chart.yaml in " + chartTgz);
    }

    /** Chart.yaml as JSON: an OCI config Helm accepts (not byte-identical to what helm push writes). */
    public static byte[] helmConfigJson(Path chartTgz) {
        try {
            return JSON.writeValueAsBytes(YAML.readTree(chartYaml(chartTgz)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String safeName(String name) {
        return name != null && name.matches("[a-z0-9][a-z0-9-]*") ? name : "chart";
    }
}
