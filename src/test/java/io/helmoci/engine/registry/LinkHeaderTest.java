package io.helmoci.engine.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class LinkHeaderTest {

    @Test
    void findsTheNextLinkOfADistributionTagPage() {
        assertThat(LinkHeader.next(List.of("</v2/charts/app/tags/list?last=1.2.3&n=100>; rel=\"next\"")))
                .isEqualTo("/v2/charts/app/tags/list?last=1.2.3&n=100");
    }

    @Test
    void picksNextAmongSeveralLinksAndRelationTypes() {
        String header =
                "<https://r.io/v2/a/tags/list?n=2>; rel=\"first\", </v2/a/tags/list?last=b,c&n=2>; title=\"x, y\"; rel=\"prefetch next\"";

        assertThat(LinkHeader.next(List.of(header))).isEqualTo("/v2/a/tags/list?last=b,c&n=2");
        assertThat(LinkHeader.next(List.of("<https://r.io/x>; rel=prev", "<https://r.io/y>; REL=next")))
                .isEqualTo("https://r.io/y");
    }

    @Test
    void noNextLink() {
        assertThat(LinkHeader.next(List.of())).isNull();
        assertThat(LinkHeader.next(List.of("<https://r.io/x>; rel=\"prev\""))).isNull();
        assertThat(LinkHeader.next(List.of("garbage"))).isNull();
    }

    @Test
    void relativeLinksResolveAgainstTheRequestUrl() {
        HttpUrl request = HttpUrl.get("https://r.io:5000/v2/charts/app/tags/list");

        assertThat(request.resolve("/v2/charts/app/tags/list?last=x").toString())
                .isEqualTo("https://r.io:5000/v2/charts/app/tags/list?last=x");
        assertThat(request.resolve("list?last=y").toString())
                .isEqualTo("https://r.io:5000/v2/charts/app/tags/list?last=y");
    }
}
