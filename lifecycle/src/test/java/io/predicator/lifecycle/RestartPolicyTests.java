package io.predicator.lifecycle;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RestartPolicyTests {
    @Test
    void theDefaultRestartsFiveTimesAMinuteAndNeverStopsAtTheFirstFault() {
        assertThat(RestartPolicy.defaults()).isEqualTo(RestartPolicy.of(5, Duration.ofMinutes(1)));
        assertThat(RestartPolicy.never().restarts()).isZero();
        assertThat(RestartPolicy.never()).hasToString("RestartPolicy[never]");
        assertThat(RestartPolicy.of(2, Duration.ofSeconds(30))).hasToString("RestartPolicy[2 restarts within PT30S]");
    }

    @Test
    void refusesNegativeCountsAndEmptyWindows() {
        assertThatThrownBy(() -> RestartPolicy.of(-1, Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("restarts must not be negative");
        assertThatThrownBy(() -> RestartPolicy.of(3, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("window must be positive");
        assertThatThrownBy(() -> RestartPolicy.of(3, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RestartPolicy.of(3, null)).isInstanceOf(NullPointerException.class);
    }
}
