package io.helmoci.testbed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes chart archives ({@code .tgz}) entry by entry, including the hostile ones a registry could
 * serve: links, devices, escaping paths, gzip bombs (zeros compress about 1000:1, so a 100 MiB file
 * costs 100 KiB and a fraction of a second).
 */
public final class ChartArchiveBuilder {
    private static final byte[] ZEROS = new byte[64 * 1024];

    private interface Step {
        void writeTo(TarArchiveOutputStream tar) throws IOException;
    }

    private final List<Step> steps = new ArrayList<>();
    private long zerosAfterEnd;

    /** A minimal valid chart {@code name-version} with Chart.yaml, values.yaml and a template. */
    public static ChartArchiveBuilder chart(String name, String version) {
        return new ChartArchiveBuilder()
                .dir(name + "/")
                .file(name + "/Chart.yaml", "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n")
                .file(name + "/values.yaml", "replicaCount: 1\n")
                .file(
                        name + "/templates/configmap.yaml",
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n");
    }

    public ChartArchiveBuilder file(String name, String content) {
        return file(name, content.getBytes(StandardCharsets.UTF_8));
    }

    public ChartArchiveBuilder file(String name, byte[] content) {
        steps.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            entry.setSize(content.length);
            tar.putArchiveEntry(entry);
            tar.write(content);
            tar.closeArchiveEntry();
        });
        return this;
    }

    /** A file of {@code size} zero bytes, written in chunks. */
    public ChartArchiveBuilder zeros(String name, long size) {
        steps.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            entry.setSize(size);
            tar.putArchiveEntry(entry);
            for (long left = size; left > 0; left -= ZEROS.length) {
                tar.write(ZEROS, 0, (int) Math.min(left, ZEROS.length));
            }
            tar.closeArchiveEntry();
        });
        return this;
    }

    /** A file of {@code size} pseudo-random bytes from {@code seed}: incompressible, so the archive is about as large. */
    public ChartArchiveBuilder randomBytes(String name, long size, long seed) {
        steps.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, TarConstants.LF_NORMAL, true);
            entry.setSize(size);
            tar.putArchiveEntry(entry);
            Random random = new Random(seed);
            byte[] buffer = new byte[ZEROS.length];
            for (long left = size; left > 0; left -= buffer.length) {
                random.nextBytes(buffer);
                tar.write(buffer, 0, (int) Math.min(left, buffer.length));
            }
            tar.closeArchiveEntry();
        });
        return this;
    }

    public ChartArchiveBuilder dir(String name) {
        return entry(name, TarConstants.LF_DIR, null);
    }

    public ChartArchiveBuilder symlink(String name, String target) {
        return entry(name, TarConstants.LF_SYMLINK, target);
    }

    public ChartArchiveBuilder hardlink(String name, String target) {
        return entry(name, TarConstants.LF_LINK, target);
    }

    /** An entry without data of any type (device, FIFO, link, directory). */
    public ChartArchiveBuilder entry(String name, byte type, String linkTarget) {
        steps.add(tar -> {
            TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
            if (linkTarget != null) {
                entry.setLinkName(linkTarget);
            }
            tar.putArchiveEntry(entry);
            tar.closeArchiveEntry();
        });
        return this;
    }

    /** Zero bytes inside the gzip stream after the end of the tar archive. */
    public ChartArchiveBuilder zerosAfterEnd(long size) {
        this.zerosAfterEnd = size;
        return this;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(out);
        return out.toByteArray();
    }

    public Path writeTo(Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private void write(OutputStream out) {
        try (GZIPOutputStream gzip = new FastGzip(out)) {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Step step : steps) {
                step.writeTo(tar);
            }
            tar.finish();
            for (long left = zerosAfterEnd; left > 0; left -= ZEROS.length) {
                gzip.write(ZEROS, 0, (int) Math.min(left, ZEROS.length));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** gzip at the fastest level: the tests need small archives of zeros quickly, not the best ratio. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 64 * 1024);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
