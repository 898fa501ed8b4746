package io.helmoci.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ShardSelectorTest {
    @Test
    void aKeySelectsItsLabelValueAndNoKeySelectsResourcesWithoutTheLabel() {
        assertThat(ShardSelector.of(Optional.of("blue"))).isEqualTo("sharding.helmoci.io/key=blue");
        assertThat(ShardSelector.of(Optional.empty())).isEqualTo("!sharding.helmoci.io/key");
        assertThat(ShardSelector.of(Optional.of("  "))).isEqualTo("!sharding.helmoci.io/key");
    }

    @Test
    void aKeyThatIsNoLabelValueIsRefusedWithTheSettingToFix() {
        assertThatThrownBy(() -> ShardSelector.of(Optional.of("blue,team=x")))
                .hasMessageContaining("HELMOCI_SHARDING_KEY");
    }
}
