package io.helmoci.operator.artifacts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpConditionsTest {
    private static final String ETAG = "\"sha256:abc\"";

    @Test
    void ifNoneMatchComparesWeaklyAndTakesListsAndAStar() {
        assertThat(HttpConditions.noneMatchHits(ETAG, ETAG)).isTrue();
        assertThat(HttpConditions.noneMatchHits("W/" + ETAG, ETAG)).isTrue();
        assertThat(HttpConditions.noneMatchHits("\"other\", W/" + ETAG, ETAG)).isTrue();
        assertThat(HttpConditions.noneMatchHits("*", ETAG)).isTrue();
        assertThat(HttpConditions.noneMatchHits("\"other\"", ETAG)).isFalse();
        assertThat(HttpConditions.noneMatchHits(null, ETAG)).isFalse();
    }

    @Test
    void aSingleByteRangeIsServedAndAnUnsatisfiableOneRefused() {
        assertThat(HttpConditions.range("bytes=0-99", null, ETAG, 1000).range())
                .contains(new HttpConditions.ByteRange(0, 99));
        assertThat(HttpConditions.range("bytes=900-", null, ETAG, 1000).range())
                .contains(new HttpConditions.ByteRange(900, 999));
        assertThat(HttpConditions.range("bytes=-100", null, ETAG, 1000).range())
                .contains(new HttpConditions.ByteRange(900, 999));
        assertThat(HttpConditions.range("bytes=990-5000", null, ETAG, 1000).range())
                .contains(new HttpConditions.ByteRange(990, 999));
        assertThat(HttpConditions.range("bytes=1000-", null, ETAG, 1000).unsatisfiable())
                .isTrue();
        assertThat(HttpConditions.range("bytes=-0", null, ETAG, 1000).unsatisfiable())
                .isTrue();
    }

    @Test
    void otherRangesAreAnsweredWithTheWholeFile() {
        assertThat(HttpConditions.range(null, null, ETAG, 1000)).isEqualTo(HttpConditions.RangeDecision.WHOLE);
        assertThat(HttpConditions.range("bytes=0-1,5-6", null, ETAG, 1000).range())
                .isEqualTo(Optional.empty());
        assertThat(HttpConditions.range("items=0-1", null, ETAG, 1000).range()).isEmpty();
        assertThat(HttpConditions.range("bytes=5-1", null, ETAG, 1000).range()).isEmpty();
        assertThat(HttpConditions.range("bytes=x-1", null, ETAG, 1000).range()).isEmpty();
        assertThat(HttpConditions.range("bytes=0-99", "\"old\"", ETAG, 1000).range())
                .as("If-Range names an old ETag")
                .isEmpty();
        assertThat(HttpConditions.range("bytes=0-99", ETAG, ETAG, 1000).range()).isPresent();
    }
}
