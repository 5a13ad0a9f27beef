package io.predicator.lifecycle;

import io.predicator.JitContext;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntUnaryOperator;

import static io.predicator.lifecycle.Modules.taggedSource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SwapEventTests {

    @Test
    void flightRecorderSeesFirstLoadsSwapsAndFailedSwaps(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("swaps.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.predicator.PluginSwap").withoutThreshold();
            recording.start();
            try (JitContext context = JitContext.builder().build();
                 PluginSlot<IntUnaryOperator> slot = PluginSlot.create(context, "apply", IntUnaryOperator.class,
                         taggedSource(1))) {
                slot.swap(taggedSource(2));
                assertThatThrownBy(() -> slot.swap(ModuleSource.ir("broken.ll", "define i32 @apply(")))
                        .isInstanceOf(MalformedModuleException.class);
                assertThat(slot.function().applyAsInt(10)).as("the previous version keeps serving").isEqualTo(32);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> swaps = RecordingFile.readAllEvents(file).stream()
                .filter(event -> event.getEventType().getName().equals("io.predicator.PluginSwap"))
                .toList();

        assertThat(swaps).hasSize(3);
        assertThat(swaps.get(0).getLong("previousGeneration")).isZero();
        assertThat(swaps.get(0).getLong("generation")).isEqualTo(1);
        assertThat(swaps.get(1).getString("source")).isEqualTo("tagged-2.ll");
        assertThat(swaps.get(1).getLong("previousGeneration")).isEqualTo(1);
        assertThat(swaps.get(1).getLong("generation")).isEqualTo(2);
        assertThat(swaps.get(1).getDuration("loadNanos")).isPositive();
        assertThat(swaps.get(1).getString("failure")).isEmpty();
        assertThat(swaps.get(2).getString("source")).isEqualTo("broken.ll");
        assertThat(swaps.get(2).getLong("generation")).isZero();
        assertThat(swaps.get(2).getString("failure")).contains("broken.ll");
    }
}
