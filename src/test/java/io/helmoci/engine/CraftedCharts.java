package io.helmoci.engine;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Chart archives helm would never package: path traversal, symlinks, gzip bombs, huge layers.
 * Each has a valid {@code <name>/Chart.yaml} first, so a config can be made from it and only the
 * archive check can catch the problem.
 */
final class CraftedCharts {
    private CraftedCharts() {}

    static String chartYaml(String name, String version) {
        return "apiVersion: v2\nname: " + name + "\nversion: " + version
                + "\ndescription: crafted\ntype: application\n";
    }

    /** A chart whose archive also holds {@code entryName} (e.g. {@code webapp/../../evil}). */
    static Path withExtraFile(Path dir, String name, String version, String entryName) {
        return write(dir.resolve(name + "-" + version + ".tgz"), tar -> {
            file(tar, name + "/Chart.yaml", chartYaml(name, version).getBytes(StandardCharsets.UTF_8));
            file(tar, entryName, "owned\n".getBytes(StandardCharsets.UTF_8));
        });
    }

    /** A chart with a symbolic link {@code <name>/templates/link -> target}. */
    static Path withSymlink(Path dir, String name, String version, String target) {
        return write(dir.resolve(name + "-" + version + ".tgz"), tar -> {
            file(tar, name + "/Chart.yaml", chartYaml(name, version).getBytes(StandardCharsets.UTF_8));
            TarArchiveEntry link = new TarArchiveEntry(name + "/templates/link", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName(target);
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        });
    }

    /** A chart with one file of {@code zeros} zero bytes: tiny compressed, huge decompressed. */
    static Path gzipBomb(Path dir, String name, String version, long zeros) {
        return write(dir.resolve(name + "-" + version + ".tgz"), tar -> {
            file(tar, name + "/Chart.yaml", chartYaml(name, version).getBytes(StandardCharsets.UTF_8));
            stream(tar, name + "/templates/bomb.yaml", zeros, new Random(0), false);
        });
    }

    /**
     * A valid chart whose archive is about {@code bytes} long: incompressible data spread over files
     * of {@code fileSize} bytes under {@code files/}, written as it is generated (never in memory).
     */
    static Path large(Path dir, String name, String version, long bytes, long fileSize) {
        return write(dir.resolve(name + "-" + version + ".tgz"), tar -> {
            file(tar, name + "/Chart.yaml", chartYaml(name, version).getBytes(StandardCharsets.UTF_8));
            Random random = new Random(42);
            long left = bytes;
            for (int i = 0; left > 0; i++) {
                long size = Math.min(fileSize, left);
                stream(tar, name + "/files/blob-" + i + ".bin", size, random, true);
                left -= size;
            }
        });
    }

    private interface TarWriter {
        void write(TarArchiveOutputStream tar) throws IOException;
    }

    private static Path write(Path target, TarWriter writer) {
        try {
            Files.createDirectories(target.getParent());
            try (OutputStream file = Files.newOutputStream(target);
                    GZIPOutputStream gzip = new GZIPOutputStream(file, 64 * 1024);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(gzip)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                writer.write(tar);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void file(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static void stream(TarArchiveOutputStream tar, String name, long size, Random random, boolean randomBytes)
            throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name, true);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        byte[] buffer = new byte[64 * 1024];
        for (long written = 0; written < size; ) {
            int n = (int) Math.min(buffer.length, size - written);
            if (randomBytes) {
                random.nextBytes(buffer);
            }
            tar.write(buffer, 0, n);
            written += n;
        }
        tar.closeArchiveEntry();
    }
}
