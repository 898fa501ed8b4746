package io.helmoci.engine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.engine.registry.Descriptor;
import io.helmoci.engine.registry.Digest;
import io.helmoci.testbed.MutableClock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    private static final byte[] CONTENT = "chart bytes, pretend this is a tgz".getBytes(StandardCharsets.UTF_8);
    private static final Descriptor DESCRIPTOR = new Descriptor(
            "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
            Digest.sha256(CONTENT).toString(),
            CONTENT.length);

    @TempDir
    Path root;

    private ContentStore store() {
        return new ContentStore(root, 1024 * 1024);
    }

    private static EngineException failure(Reason reason, Runnable call) {
        EngineException e = catchThrowableOfType(EngineException.class, call::run);
        assertThat(e).isNotNull();
        assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason);
        return e;
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void storesVerifiedContentAddressedAndDownloadsItOnce() throws IOException {
        ContentStore store = store();
        AtomicInteger opened = new AtomicInteger();

        Path first = store.fetch(DESCRIPTOR, () -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(CONTENT);
        });
        Path second = store.fetch(DESCRIPTOR, () -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(CONTENT);
        });

        assertThat(first)
                .isEqualTo(second)
                .isEqualTo(
                        root.resolve("blobs/sha256/" + DESCRIPTOR.parsedDigest().hex()));
        assertThat(Files.readAllBytes(first)).isEqualTo(CONTENT);
        assertThat(opened).hasValue(1);
        assertThat(store.find(DESCRIPTOR)).contains(first);
        assertThat(filesUnder(root)).containsExactly(first);
    }

    @Test
    void truncatedContentIsSizeMismatchAndLeavesNothing() throws IOException {
        ContentStore store = store();

        EngineException e = failure(
                Reason.SizeMismatch,
                () -> store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(CONTENT, 0, CONTENT.length - 3)));

        assertThat(e.getMessage()).contains("truncated", DESCRIPTOR.digest());
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void overlongContentStopsOneByteAfterTheDescriptorSize() throws IOException {
        ContentStore store = store();
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served.incrementAndGet();
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                served.addAndGet(len);
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                return len;
            }
        };

        failure(Reason.SizeMismatch, () -> store.fetch(DESCRIPTOR, () -> endless));

        assertThat(served).hasValue(CONTENT.length + 1);
        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void otherContentOfTheSameSizeIsDigestMismatch() throws IOException {
        ContentStore store = store();
        byte[] tampered = CONTENT.clone();
        tampered[5] ^= 1;

        failure(Reason.DigestMismatch, () -> store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(tampered)));

        assertThat(filesUnder(root)).isEmpty();
    }

    @Test
    void aBlobOverTheLimitIsRefusedBeforeDownloading() {
        ContentStore store = new ContentStore(root, 10);
        AtomicInteger opened = new AtomicInteger();

        EngineException e = failure(
                Reason.ChartTooLarge,
                () -> store.fetch(DESCRIPTOR, () -> {
                    opened.incrementAndGet();
                    return new ByteArrayInputStream(CONTENT);
                }));

        assertThat(opened).hasValue(0);
        assertThat(e.getMessage()).contains("limit of 10 bytes");
    }

    @Test
    void aFailedFetchKeepsOtherBlobsAndAFailingSourceLeavesNoTemporaryFile() throws IOException {
        ContentStore store = store();
        Path good = store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(CONTENT));
        byte[] other = "other".getBytes(StandardCharsets.UTF_8);
        Descriptor otherDescriptor = new Descriptor("x", Digest.sha256(other).toString(), other.length);

        failure(
                Reason.RegistryUnavailable,
                () -> store.fetch(otherDescriptor, () -> new InputStream() {
                    private int count;

                    @Override
                    public int read() {
                        if (count++ > 2) {
                            throw new EngineException(Reason.RegistryUnavailable, "connection reset");
                        }
                        return 'o';
                    }
                }));

        assertThat(filesUnder(root)).containsExactly(good);
        assertThat(Files.readAllBytes(good)).isEqualTo(CONTENT);
    }

    @Test
    void aCorruptedStoredBlobIsDetectedAtItsNextVerificationAndFetchedAgain() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        ContentStore store = new ContentStore(root, 1024 * 1024, clock);
        Path path = store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(CONTENT));
        byte[] corrupted = CONTENT.clone();
        corrupted[0] ^= 1;
        Files.write(path, corrupted); // same file, same size: only hashing finds it
        AtomicInteger opened = new AtomicInteger();

        assertThat(store.find(DESCRIPTOR))
                .as("verified when written: not hashed again on every use")
                .isPresent();
        clock.advance(ContentStore.REVERIFY_AFTER);
        assertThat(store.find(DESCRIPTOR)).isEmpty();
        store.fetch(DESCRIPTOR, () -> {
            opened.incrementAndGet();
            return new ByteArrayInputStream(CONTENT);
        });

        assertThat(opened).hasValue(1);
        assertThat(Files.readAllBytes(path)).isEqualTo(CONTENT);
    }

    @Test
    void aStoredBlobOfAnotherSizeIsRefusedAtOnce() throws IOException {
        ContentStore store = store();
        Path path = store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(CONTENT));
        assertThat(store.find(DESCRIPTOR)).isPresent();
        Files.write(path, "short".getBytes(StandardCharsets.UTF_8));
        assertThat(store.find(DESCRIPTOR)).isEmpty();
    }

    @Test
    void concurrentFetchesOfOneDigestDownloadOnce() throws Exception {
        ContentStore store = store();
        AtomicInteger opened = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.fetch(DESCRIPTOR, () -> {
                        opened.incrementAndGet();
                        return new SlowStream(CONTENT);
                    });
                }));
            }
            start.countDown();
            for (Future<Path> result : results) {
                assertThat(Files.readAllBytes(result.get(10, TimeUnit.SECONDS))).isEqualTo(CONTENT);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(opened).hasValue(1);
        assertThat(filesUnder(root)).hasSize(1);
    }

    @Test
    void smallBlobsRoundTripAndStaleTemporaryFilesAreSwept() throws IOException {
        ContentStore store = store();
        Digest digest = Digest.sha256(CONTENT);
        assertThat(store.readSmall(digest, CONTENT.length, 1024)).isEmpty();
        store.put(digest, CONTENT);
        assertThat(store.readSmall(digest, CONTENT.length, 1024))
                .hasValueSatisfying(b -> assertThat(b).isEqualTo(CONTENT));
        assertThat(store.readSmall(digest, -1, 1024)).isPresent();
        assertThat(store.readSmall(digest, CONTENT.length + 1, 1024)).isEmpty();
        assertThat(store.readSmall(digest, CONTENT.length, 4)).isEmpty();

        Path stale = Files.writeString(root.resolve("blobs/sha256/.tmp-abc-123"), "partial");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(7200)));
        Path fresh = Files.writeString(root.resolve("blobs/sha256/.tmp-def-456"), "in progress elsewhere");
        new ContentStore(root, 1024);
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void listingRemovesStaleTemporaryFilesOfOthersButNeverOneOfItsOwnFetches() throws IOException {
        ContentStore store = store();
        store.put(Digest.sha256("x".getBytes(StandardCharsets.UTF_8)), "x".getBytes(StandardCharsets.UTF_8));
        Path killed = Files.writeString(root.resolve("blobs/sha256/.tmp-abc-123"), "left by a killed process");
        Files.setLastModifiedTime(
                killed,
                FileTime.from(Instant.now().minus(ContentStore.STALE_TEMP).minusSeconds(60)));
        Path recent = Files.writeString(root.resolve("blobs/sha256/.tmp-def-456"), "another process writes it");
        List<Boolean> ownKept = new ArrayList<>();

        store.fetch(DESCRIPTOR, () -> {
            try (Stream<Path> files = Files.list(root.resolve("blobs/sha256"))) {
                Path own = files.filter(f -> f.getFileName()
                                .toString()
                                .startsWith(".tmp-"
                                        + DESCRIPTOR.parsedDigest().hex().substring(0, 12)))
                        .findFirst()
                        .orElseThrow();
                Files.setLastModifiedTime(own, FileTime.from(Instant.now().minusSeconds(7200))); // a very slow fetch
                store.list();
                ownKept.add(Files.exists(own));
            }
            return new ByteArrayInputStream(CONTENT);
        });

        assertThat(ownKept).containsExactly(true);
        assertThat(killed).doesNotExist();
        assertThat(recent).exists();
        assertThat(store.find(DESCRIPTOR)).isPresent();
    }

    /** Serves its content in small pieces with pauses, so concurrent fetches overlap. */
    private static final class SlowStream extends InputStream {
        private final ByteArrayInputStream in;

        SlowStream(byte[] content) {
            in = new ByteArrayInputStream(content);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return in.read(b, off, Math.min(len, 4));
        }
    }

    @Test
    void listsCompleteBlobsWithTheirLastUseAndRemovesOnlyThoseUnusedSinceTheCutoff() throws IOException {
        MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
        ContentStore store = new ContentStore(root, 1024 * 1024, clock);
        byte[] other = "another blob".getBytes(StandardCharsets.UTF_8);
        Digest otherDigest = Digest.sha256(other);
        store.fetch(DESCRIPTOR, () -> new ByteArrayInputStream(CONTENT));
        clock.advance(Duration.ofMinutes(10));
        store.put(otherDigest, other);
        Files.writeString(root.resolve("blobs/sha256/.tmp-abc-123"), "a fetch in progress");

        assertThat(store.list())
                .extracting(
                        ContentStore.StoredBlob::digest,
                        ContentStore.StoredBlob::size,
                        ContentStore.StoredBlob::lastUsed)
                .containsExactlyInAnyOrder(
                        tuple(DESCRIPTOR.parsedDigest(), (long) CONTENT.length, Instant.parse("2026-03-01T10:00:00Z")),
                        tuple(otherDigest, (long) other.length, Instant.parse("2026-03-01T10:10:00Z")));

        clock.advance(Duration.ofMinutes(1));
        assertThat(store.find(DESCRIPTOR)).as("found: used now").isPresent();
        assertThat(store.removeIfUnusedSince(DESCRIPTOR.parsedDigest(), Instant.parse("2026-03-01T10:05:00Z")))
                .isFalse();
        assertThat(store.removeIfUnusedSince(otherDigest, Instant.parse("2026-03-01T10:10:00Z")))
                .as("used at the cutoff")
                .isFalse();
        assertThat(store.removeIfUnusedSince(otherDigest, Instant.parse("2026-03-01T10:10:01Z")))
                .isTrue();
        assertThat(store.removeIfUnusedSince(otherDigest, Instant.parse("2026-03-01T10:10:01Z")))
                .as("already gone")
                .isFalse();
        assertThat(store.list()).extracting(ContentStore.StoredBlob::digest).containsExactly(DESCRIPTOR.parsedDigest());
        assertThat(store.remove(DESCRIPTOR.parsedDigest())).isTrue();
        assertThat(store.list()).isEmpty();
    }
}
