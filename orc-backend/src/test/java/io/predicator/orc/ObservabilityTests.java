package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.JitStats;
import io.predicator.ModuleFormat;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginStats;
import io.predicator.UnresolvedSymbolsException;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObservabilityTests {
    private static final String MISSING = """
            declare i32 @absent_one()
            declare i32 @absent_two()
            define i32 @f() {
              %a = call i32 @absent_one()
              %b = call i32 @absent_two()
              %s = add i32 %a, %b
              ret i32 %s
            }
            """;

    @Test
    void statsListLoadedPluginsWithTheirMemoryAndCountLoadsAndUnloads() {
        try (JitContext jit = JitContext.builder().build()) {
            Plugin seven = jit.load(ModuleSource.ir("seven", TestModules.valueIr(7)));
            Plugin object = jit.load(ModuleSource.object("eight.o", TestModules.object(TestModules.valueIr(8))));
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("broken", MISSING)))
                    .isInstanceOf(UnresolvedSymbolsException.class);

            JitStats stats = jit.stats();
            assertThat(stats.plugins()).extracting(PluginStats::name).containsExactly("eight.o", "seven");
            assertThat(stats.plugins()).extracting(PluginStats::format)
                    .containsExactly(ModuleFormat.OBJECT, ModuleFormat.IR_TEXT);
            assertThat(stats.plugins()).allSatisfy(plugin -> {
                assertThat(plugin.codeBytes()).isPositive();
                assertThat(plugin.sourceBytes()).isPositive();
                assertThat(plugin.loadDuration()).isPositive();
            });
            assertThat(stats.memoryBytes()).isEqualTo(stats.plugins().stream().mapToLong(PluginStats::memoryBytes).sum());
            assertThat(stats.loads()).isEqualTo(2);
            assertThat(stats.failedLoads()).isEqualTo(1);
            assertThat(stats.unloads()).isZero();

            seven.close();
            object.close();
            assertThat(jit.stats().plugins()).isEmpty();
            assertThat(jit.stats().unloads()).isEqualTo(2);
        }
    }

    @Test
    void untrustedObjectsAreTrialLinkedInAWorkerFirstAndTheLoadEventSaysForHowLong(@TempDir Path directory)
            throws Exception {
        Path file = directory.resolve("trial.jfr");
        byte[] object = TestModules.object(TestModules.valueIr(6));
        try (Recording recording = new Recording()) {
            recording.enable("io.predicator.PluginLoad").withoutThreshold();
            recording.start();
            try (JitContext jit = JitContext.builder().build()) {
                try (Plugin untrusted = jit.load(ModuleSource.object("untrusted.o", object))) {
                    assertThat(untrusted.function("value", IntSupplier.class).getAsInt()).isEqualTo(6);
                }
                jit.load(ModuleSource.object("trusted.o", object), LoadOptions.builder().trustInput(true).build())
                        .close();
                jit.load(ModuleSource.ir("ir.ll", TestModules.valueIr(7))).close();
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);
        assertThat(single(events, "io.predicator.PluginLoad", "untrusted.o").getDuration("trialLinkNanos"))
                .as("an untrusted object is linked in a worker first").isPositive();
        assertThat(single(events, "io.predicator.PluginLoad", "trusted.o").getDuration("trialLinkNanos"))
                .as("trusted input skips the trial").isZero();
        assertThat(single(events, "io.predicator.PluginLoad", "ir.ll").getDuration("trialLinkNanos"))
                .as("objects the pipeline compiled itself skip the trial").isZero();
    }

    @Test
    void flightRecorderSeesLoadsUnloadsAndResolutionFailures(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("predicator.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("io.predicator.PluginLoad").withoutThreshold();
            recording.enable("io.predicator.PluginUnload").withoutThreshold();
            recording.enable("io.predicator.ResolutionFailure").withoutThreshold();
            recording.enable("io.predicator.PluginFirstUse").withoutThreshold();
            recording.start();
            try (JitContext jit = JitContext.builder().optimizationLevel(1).build()) {
                jit.load(ModuleSource.ir("recorded", TestModules.valueIr(3))).close();
                try (Plugin lazy = jit.load(ModuleSource.ir("on-first-use", TestModules.valueIr(5)),
                        LoadOptions.builder().compileOnFirstUse(true).build())) {
                    assertThat(lazy.function("value", IntSupplier.class).getAsInt()).isEqualTo(5);
                }
                jit.load(ModuleSource.ir("codegen-only", TestModules.valueIr(4)),
                        LoadOptions.builder().preOptimized(true).build()).close();
                assertThatThrownBy(() -> jit.load(ModuleSource.ir("unresolved", MISSING)))
                        .isInstanceOf(UnresolvedSymbolsException.class);
            }
            recording.stop();
            recording.dump(file);
        }
        List<RecordedEvent> events = RecordingFile.readAllEvents(file);

        RecordedEvent load = single(events, "io.predicator.PluginLoad", "recorded");
        assertThat(load.getString("format")).isEqualTo("IR_TEXT");
        assertThat(load.getInt("optimizationLevel")).isEqualTo(1);
        assertThat(load.getLong("sourceBytes")).isPositive();
        assertThat(load.getBoolean("preOptimized")).isFalse();
        assertThat(load.getDuration("parseNanos")).isPositive();
        assertThat(load.getDuration("optimizeNanos")).isPositive();
        assertThat(load.getDuration("codegenNanos")).isPositive();
        assertThat(load.getDuration("linkNanos")).isPositive();
        assertThat(load.getBoolean("cacheHit")).isFalse();
        assertThat(load.getString("failure")).isEmpty();

        assertThat(load.getBoolean("onFirstUse")).isFalse();
        RecordedEvent lazyLoad = single(events, "io.predicator.PluginLoad", "on-first-use");
        assertThat(lazyLoad.getBoolean("onFirstUse")).isTrue();
        assertThat(lazyLoad.getDuration("codegenNanos")).isZero();
        RecordedEvent firstUse = single(events, "io.predicator.PluginFirstUse", "on-first-use");
        assertThat(firstUse.getString("symbol")).isEqualTo("value");
        assertThat(firstUse.getInt("piece")).isEqualTo(1);
        assertThat(firstUse.getLong("blocks")).isEqualTo(1);
        assertThat(firstUse.getInt("objects")).isEqualTo(1);
        assertThat(firstUse.getDuration("codegenNanos")).isPositive();
        assertThat(firstUse.getString("failure")).isEmpty();

        RecordedEvent codegenOnly = single(events, "io.predicator.PluginLoad", "codegen-only");
        assertThat(codegenOnly.getBoolean("preOptimized")).isTrue();
        assertThat(codegenOnly.getDuration("optimizeNanos")).isZero();
        assertThat(codegenOnly.getDuration("codegenNanos")).isPositive();

        assertThat(single(events, "io.predicator.PluginLoad", "unresolved").getString("failure"))
                .contains("absent_one", "absent_two");
        assertThat(single(events, "io.predicator.PluginUnload", "recorded").getLong("memoryBytes")).isPositive();
        RecordedEvent failure = single(events, "io.predicator.ResolutionFailure", "unresolved");
        assertThat(failure.getString("symbols")).isEqualTo("absent_one, absent_two");
        assertThat(failure.getString("resolvers")).isEqualTo("compiler-support");
    }

    private static RecordedEvent single(List<RecordedEvent> events, String type, String plugin) {
        List<RecordedEvent> matching = events.stream()
                .filter(event -> event.getEventType().getName().equals(type))
                .filter(event -> plugin.equals(event.getString("plugin")))
                .toList();
        assertThat(matching).as("%s events for %s", type, plugin).hasSize(1);
        return matching.getFirst();
    }
}
