package io.helmoci.engine.store;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A content-addressed directory of verified blobs, {@code <root>/blobs/<algorithm>/<hex>}, as in
 * an OCI image layout.
 *
 * <p>A blob is streamed into a temporary file in the same directory while its size is counted and
 * its digest computed; only when both match is it fsynced and atomically renamed into place. So a
 * blob in the store is always complete and verified, a failed fetch leaves no temporary file and
 * never replaces a good blob, and the same content is downloaded once however many references
 * point to it. Fetches of the same digest are serialised within the JVM; across processes the
 * atomic rename keeps them safe. Blobs present on disk are re-hashed before use, so a corrupted
 * file is detected and fetched again.
 *
 * <p>A blob's modification time records when it was last used (written, or found by
 * {@link #fetch} or {@link #find}), so a garbage collector can tell blobs that are in use from
 * leftovers: {@link #list()} and {@link #removeIfUnusedSince}.
 */
public final class ContentStore {
    private static final String TEMP_PREFIX = ".tmp-";
    /**
     * A temporary file this store is not writing, unmodified for this long, belongs to a fetch that
     * died (a killed process): removed at start and by {@link #list()}. Live fetches of other
     * processes sharing the directory write at least every read timeout, far more often.
     */
    static final Duration STALE_TEMP = Duration.ofMinutes(10);

    private static final int BUFFER = 64 * 1024;
    private static final int LOCK_STRIPES = 64;

    /** Opens the blob's content; called only when the blob is not already in the store. */
    @FunctionalInterface
    public interface BlobSource {
        InputStream open() throws IOException;
    }

    /** A complete blob in the store and when it was last used. */
    public record StoredBlob(Digest digest, long size, Instant lastUsed) {}

    private final Path root;
    private final long maxBlobBytes;
    private final String maxBlobSetting;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];
    /**
     * A stored file hashed within this time, unchanged since (same file key and size), is served
     * without hashing it again: a request for a large archive costs a stat, not a re-hash under the
     * blob's lock. Files are only ever replaced by an atomic move (a new file key).
     */
    static final Duration REVERIFY_AFTER = Duration.ofMinutes(10);

    /** When a file was last hashed and found intact, and what it was then. */
    private record Verified(Object fileKey, long size, Instant at) {}

    private final Map<Path, Verified> verified = new ConcurrentHashMap<>();

    /** Temporary files of this store's fetches in progress: never removed as stale, however slow. */
    private final Set<Path> ownTemporaries = ConcurrentHashMap.newKeySet();

    /**
     * @param root         the store directory, created if missing
     * @param maxBlobBytes the largest blob accepted (for charts: {@code ChartLimits.maxArchiveBytes()})
     */
    public ContentStore(Path root, long maxBlobBytes) {
        this(root, maxBlobBytes, Clock.systemUTC());
    }

    /** @param clock the time recorded as a blob's last use */
    public ContentStore(Path root, long maxBlobBytes, Clock clock) {
        this(root, maxBlobBytes, clock, "the limit (maxArchiveBytes)");
    }

    /** @param maxBlobSetting how the user raises {@code maxBlobBytes} here (a flag or a setting), for messages */
    public ContentStore(Path root, long maxBlobBytes, Clock clock, String maxBlobSetting) {
        this.root = root;
        this.maxBlobBytes = maxBlobBytes;
        this.maxBlobSetting = maxBlobSetting;
        this.clock = clock;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        removeStaleTemporaryFiles();
    }

    /** Where a blob with this digest lives (whether or not it is there). */
    public Path pathOf(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
    }

    /**
     * The verified blob, downloading it from {@code source} only if it is not in the store yet.
     *
     * @throws EngineException {@link Reason#ChartTooLarge} above the store's limit,
     *                         {@link Reason#SizeMismatch} for truncated or padded content,
     *                         {@link Reason#DigestMismatch} for other content
     */
    public Path fetch(Descriptor descriptor, BlobSource source) {
        Digest digest = descriptor.parsedDigest();
        String what = describe(descriptor);
        if (descriptor.size() > maxBlobBytes) {
            throw tooLarge(what + " is " + descriptor.size() + " bytes");
        }
        if (descriptor.size() < 0) {
            throw new EngineException(
                    Reason.SizeMismatch, what + " has no valid size in its descriptor. Push the chart again.");
        }
        Path target = pathOf(digest);
        ReentrantLock lock = lockFor(digest);
        lock.lock();
        try {
            if (isIntact(target, descriptor.size(), digest)) {
                markUsed(target);
                return target;
            }
            Path directory = createDirectories(target.getParent());
            Path temporary = createTemporary(directory, digest);
            ownTemporaries.add(temporary);
            try {
                try (InputStream in = source.open()) {
                    writeVerified(in, temporary, descriptor, digest, what);
                }
                moveIntoPlace(temporary, target);
                markUsed(target);
                rememberVerified(target); // hashed while it was written
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot store " + what + " in " + directory, e);
            } finally {
                deleteQuietly(temporary);
                ownTemporaries.remove(temporary);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The verified blob if it is in the store; marks it as used. */
    public Optional<Path> find(Descriptor descriptor) {
        Digest digest = descriptor.parsedDigest();
        Path target = pathOf(digest);
        ReentrantLock lock = lockFor(digest);
        lock.lock();
        try {
            if (!isIntact(target, descriptor.size(), digest)) {
                return Optional.empty();
            }
            markUsed(target);
            return Optional.of(target);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Every complete blob in the store (temporary files of fetches in progress left out). Removes,
     * on the way, temporary files this store does not own that were not written for
     * {@link #STALE_TEMP}: leftovers of a killed process, which a garbage collector listing the
     * store would otherwise never see.
     */
    public List<StoredBlob> list() {
        FileTime staleBefore = FileTime.from(clock.instant().minus(STALE_TEMP));
        List<StoredBlob> blobs = new ArrayList<>();
        Path all = root.resolve("blobs");
        if (!Files.isDirectory(all)) {
            return blobs;
        }
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(all, Files::isDirectory)) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(algorithm)) {
                    for (Path file : files) {
                        if (file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                            removeIfStale(file, staleBefore);
                            continue;
                        }
                        Digest digest = Digest.parseOrNull(algorithm.getFileName() + ":" + file.getFileName());
                        if (digest != null) {
                            try {
                                blobs.add(new StoredBlob(
                                        digest,
                                        Files.size(file),
                                        Files.getLastModifiedTime(file).toInstant()));
                            } catch (NoSuchFileException e) {
                                // removed meanwhile
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + all, e);
        }
        return blobs;
    }

    /**
     * Deletes the blob unless it was used at or after {@code cutoff}; checked and deleted under the
     * blob's lock, so a concurrent {@link #fetch} or {@link #find} either keeps it or fetches it again.
     *
     * @return whether the blob was deleted
     */
    public boolean removeIfUnusedSince(Digest digest, Instant cutoff) {
        Path path = pathOf(digest);
        ReentrantLock lock = lockFor(digest);
        lock.lock();
        try {
            if (!Files.getLastModifiedTime(path).toInstant().isBefore(cutoff)) {
                return false;
            }
            verified.remove(path);
            return Files.deleteIfExists(path);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path, e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the blob at once; true if there was one. */
    public boolean remove(Digest digest) {
        Path path = pathOf(digest);
        ReentrantLock lock = lockFor(digest);
        lock.lock();
        try {
            verified.remove(path);
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path, e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A small stored blob (a manifest or config), read whole and verified, or empty if absent,
     * corrupt or larger than {@code maxBytes}. {@code size} may be -1 when unknown.
     */
    public Optional<byte[]> readSmall(Digest digest, long size, int maxBytes) {
        Path path = pathOf(digest);
        try {
            long actual = Files.size(path);
            if (actual > maxBytes || (size >= 0 && actual != size)) {
                return Optional.empty();
            }
            byte[] bytes = Files.readAllBytes(path);
            return digest.matches(bytes) ? Optional.of(bytes) : Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    /** Stores content already held in memory (a verified manifest or config) under its digest. */
    public Path put(Digest digest, byte[] content) {
        if (!digest.matches(content)) {
            throw new IllegalArgumentException("content does not match " + digest);
        }
        Descriptor descriptor = new Descriptor(null, digest.toString(), content.length);
        return fetch(descriptor, () -> new java.io.ByteArrayInputStream(content));
    }

    private void writeVerified(InputStream in, Path temporary, Descriptor descriptor, Digest digest, String what)
            throws IOException {
        MessageDigest hash = digest.newMessageDigest();
        long expected = descriptor.size();
        long total = 0;
        byte[] buffer = new byte[BUFFER];
        try (FileChannel out =
                FileChannel.open(temporary, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            while (true) {
                // Never read past expected + 1: one byte more proves the content is too long.
                int wanted = (int) Math.min(buffer.length, expected + 1 - total);
                int read = in.read(buffer, 0, wanted);
                if (read < 0) {
                    break;
                }
                total += read;
                if (total > maxBlobBytes) {
                    throw tooLarge("the registry served more than " + maxBlobBytes + " bytes of " + what);
                }
                if (total > expected) {
                    throw new EngineException(
                            Reason.SizeMismatch,
                            "The registry served more than the " + expected + " bytes the manifest gives for " + what
                                    + ". Push the chart again.");
                }
                hash.update(buffer, 0, read);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
            }
            if (total != expected) {
                throw new EngineException(
                        Reason.SizeMismatch,
                        "The registry served " + total + " bytes of " + what + " where the manifest says " + expected
                                + " (truncated). Push the chart again.");
            }
            if (!digest.matches(hash)) {
                throw new EngineException(
                        Reason.DigestMismatch,
                        "The content of " + what
                                + " does not match its digest: the registry served corrupt or tampered content. Push the chart again.");
            }
            out.force(true);
        }
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the file system of " + target.getParent() + " cannot rename atomically", e);
        }
        fsyncDirectory(target.getParent());
    }

    private static void fsyncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // Not every platform can open a directory; the rename itself is already atomic.
        }
    }

    /**
     * Whether the file exists with the expected size and hashes to the digest (hashed again only
     * when {@link #REVERIFY_AFTER} has passed or the file changed); a corrupt file is removed.
     */
    private boolean isIntact(Path path, long size, Digest digest) {
        try {
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(path, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                verified.remove(path);
                return false;
            }
            if (!attributes.isRegularFile() || (size >= 0 && attributes.size() != size)) {
                verified.remove(path);
                return false;
            }
            Verified known = verified.get(path);
            if (known != null
                    && attributes.fileKey() != null
                    && attributes.fileKey().equals(known.fileKey())
                    && known.size() == attributes.size()
                    && clock.instant().isBefore(known.at().plus(REVERIFY_AFTER))) {
                return true;
            }
            MessageDigest hash = digest.newMessageDigest();
            byte[] buffer = new byte[BUFFER];
            try (InputStream in = Files.newInputStream(path)) {
                for (int read; (read = in.read(buffer)) >= 0; ) {
                    hash.update(buffer, 0, read);
                }
            }
            if (digest.matches(hash)) {
                verified.put(path, new Verified(attributes.fileKey(), attributes.size(), clock.instant()));
                return true;
            }
            verified.remove(path);
            Files.deleteIfExists(path); // corrupted on disk: fetch it again
            return false;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    private void rememberVerified(Path path) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (attributes.fileKey() != null) {
                verified.put(path, new Verified(attributes.fileKey(), attributes.size(), clock.instant()));
            }
        } catch (IOException e) {
            verified.remove(path); // hashed again on the next use
        }
    }

    /** Records a use in the file's modification time; best effort (a read-only store still serves). */
    private void markUsed(Path path) {
        try {
            Files.setLastModifiedTime(path, FileTime.from(clock.instant()));
        } catch (IOException ignored) {
            // the blob is still good; it may only be collected earlier than it could be
        }
    }

    private ReentrantLock lockFor(Digest digest) {
        return locks[Math.floorMod(digest.hex().hashCode(), LOCK_STRIPES)];
    }

    private static Path createDirectories(Path directory) {
        try {
            return Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory, e);
        }
    }

    private static Path createTemporary(Path directory, Digest digest) {
        try {
            return Files.createTempFile(directory, TEMP_PREFIX + digest.hex().substring(0, 12) + "-", "");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary file in " + directory, e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // removed by the stale-file sweep on the next start
        }
    }

    private void removeIfStale(Path temporary, FileTime staleBefore) {
        try {
            if (!ownTemporaries.contains(temporary)
                    && Files.getLastModifiedTime(temporary).compareTo(staleBefore) < 0) {
                deleteQuietly(temporary);
            }
        } catch (IOException e) {
            // gone meanwhile
        }
    }

    /** Temporary files of fetches that died with their process. */
    private void removeStaleTemporaryFiles() {
        Path blobs = root.resolve("blobs");
        if (!Files.isDirectory(blobs)) {
            return;
        }
        FileTime cutoff = FileTime.from(Instant.now().minus(STALE_TEMP));
        try (DirectoryStream<Path> algorithms = Files.newDirectoryStream(blobs)) {
            for (Path algorithm : algorithms) {
                try (DirectoryStream<Path> temps = Files.newDirectoryStream(algorithm, TEMP_PREFIX + "*")) {
                    for (Path temp : temps) {
                        if (Files.getLastModifiedTime(temp).compareTo(cutoff) < 0) {
                            deleteQuietly(temp);
                        }
                    }
                }
            }
        } catch (IOException ignored) {
            // best effort
        }
    }

    private EngineException tooLarge(String problem) {
        String text = Character.toUpperCase(problem.charAt(0)) + problem.substring(1);
        return new EngineException(
                Reason.ChartTooLarge,
                text + ", over the limit of " + maxBlobBytes + " bytes. Shrink the chart, or raise " + maxBlobSetting
                        + " if the size is expected.");
    }

    private static String describe(Descriptor descriptor) {
        return "blob " + descriptor.digest()
                + (descriptor.mediaType() == null ? "" : " (" + descriptor.mediaType() + ")");
    }
}
