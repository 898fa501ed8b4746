package io.helmoci.engine.registry;

import static io.helmoci.engine.registry.TransportFixtures.JSON;
import static io.helmoci.engine.registry.TransportFixtures.failure;
import static io.helmoci.engine.registry.TransportFixtures.plain;
import static io.helmoci.engine.registry.TransportFixtures.ref;
import static io.helmoci.testbed.ScriptedHttpServer.respond;
import static org.assertj.core.api.Assertions.assertThat;

import io.helmoci.engine.EngineException;
import io.helmoci.engine.Reason;
import io.helmoci.testbed.ScriptedHttpServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

/** The tag list is bounded over all its pages, keeps only what selection can use, and refuses a Link loop. */
class TagListBoundsTest {
    @AutoClose
    private RegistryTransport transport;

    @AutoClose
    private ScriptedHttpServer server;

    private RegistryClient client(TagListLimits limits) {
        transport = new RegistryTransport(Clock.systemUTC(), ExchangeObserver.NONE, limits);
        return transport.open(plain(io.helmoci.engine.registry.Credentials.anonymous()));
    }

    /** Pages of {@code perPage} semver tags, each linking to the next, without end. */
    private AtomicInteger endless(int perPage) {
        AtomicInteger pages = new AtomicInteger();
        server = ScriptedHttpServer.start((ex, req) -> {
            int page = pages.getAndIncrement();
            String tags = IntStream.range(0, perPage)
                    .mapToObj(i -> "\"" + page + "." + i + ".0\"")
                    .collect(Collectors.joining(","));
            respond(
                    ex,
                    200,
                    Map.of(
                            "Content-Type",
                            "application/json",
                            "Link",
                            "</v2/charts/app/tags/list?last=" + page + "&n=" + perPage + ">; rel=\"next\""),
                    "{\"tags\":[" + tags + "]}");
        });
        return pages;
    }

    @Test
    void stopsAtTheTagCountOverAllPages() {
        AtomicInteger pages = endless(100);
        EngineException e = failure(
                Reason.TagListTooLarge,
                () -> client(new TagListLimits(1_000, 1 << 30, "--max-tags", "--max-tag-list-bytes"))
                        .listTags(ref(server)));
        assertThat(e.getMessage()).contains("more than 1000 tags").contains("raise --max-tags");
        assertThat(pages.get()).isEqualTo(11);
    }

    @Test
    void stopsAtTheByteBudgetOverAllPages() {
        AtomicInteger pages = endless(100);
        EngineException e = failure(
                Reason.TagListTooLarge,
                () -> client(new TagListLimits(1_000_000, 10_000, "--max-tags", "--max-tag-list-bytes"))
                        .listTags(ref(server)));
        assertThat(e.getMessage()).contains("more than 10000 bytes").contains("raise --max-tag-list-bytes");
        assertThat(pages.get()).as("about 900 bytes a page").isBetween(10, 13);
    }

    @Test
    void aPageOverThePerPageCapIsATagListFailureNotAChartOne() {
        byte[] huge = ("{\"tags\":[\"" + "a".repeat(RegistryClient.MAX_METADATA_BYTES) + "\"]}")
                .getBytes(StandardCharsets.UTF_8);
        server = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, JSON, huge));
        failure(
                Reason.TagListTooLarge,
                () -> client(new TagListLimits(10, 1L << 30, "a", "b")).listTags(ref(server)));
    }

    @Test
    void aLinkBackToAPageAlreadyReadFails() {
        AtomicInteger pages = new AtomicInteger();
        server = ScriptedHttpServer.start((ex, req) -> {
            pages.incrementAndGet();
            String next = req.query() == null ? "</v2/charts/app/tags/list?last=1.0.0>" : "</v2/charts/app/tags/list>";
            respond(
                    ex,
                    200,
                    Map.of("Content-Type", "application/json", "Link", next + "; rel=\"next\""),
                    "{\"tags\":[\"1.0.0\"]}");
        });
        EngineException e = failure(
                Reason.RegistryUnavailable,
                () -> client(TagListLimits.defaults()).listTags(ref(server)));
        assertThat(e.getMessage()).contains("points back to a page already read");
        assertThat(pages.get()).isEqualTo(2);
    }

    @Test
    void keepsSemverTagsAndAFewOthersAsExamples() {
        server = ScriptedHttpServer.start((ex, req) -> respond(
                ex,
                200,
                JSON,
                "{\"name\":\"charts/app\",\"extra\":{\"tags\":[\"not-these\"]},\"tags\":[\"latest\",\"1.0.0\",\"main\",\"v2\",\"sha-1\","
                        + "\"sha-2\",\"1.1.0_build.1\",\"sha-3\",\"sha-4\",\"2.0.0-rc.1\"]}"));
        assertThat(client(TagListLimits.defaults()).listTags(ref(server)))
                .containsExactly("latest", "1.0.0", "main", "v2", "sha-1", "sha-2", "1.1.0_build.1", "2.0.0-rc.1");
    }

    @Test
    void aMissingVersionInARepositoryWithTooManyTagsIsStillVersionNotFound() {
        AtomicInteger pages = new AtomicInteger();
        server = ScriptedHttpServer.start((ex, req) -> {
            if (req.path().contains("/manifests/")) {
                respond(ex, 404, JSON, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}");
                return;
            }
            int page = pages.getAndIncrement();
            respond(
                    ex,
                    200,
                    Map.of(
                            "Content-Type",
                            "application/json",
                            "Link",
                            "</v2/charts/app/tags/list?last=" + page + ">; rel=\"next\""),
                    "{\"tags\":[\"" + page + ".0.0\"]}");
        });
        EngineException e = failure(
                Reason.VersionNotFound,
                () -> client(new TagListLimits(5, 1L << 20, "--max-tags", "--max-tag-list-bytes"))
                        .headManifest(ref(server), "9.9.9"));
        assertThat(e.getMessage()).contains("has no tag 9.9.9", "too long to name the nearest versions");
    }

    @Test
    void aPageThatIsNotATagListFails() {
        server = ScriptedHttpServer.start((ex, req) -> respond(ex, 200, JSON, "[\"1.0.0\"]"));
        failure(
                Reason.RegistryUnavailable,
                () -> client(TagListLimits.defaults()).listTags(ref(server)));
    }
}
