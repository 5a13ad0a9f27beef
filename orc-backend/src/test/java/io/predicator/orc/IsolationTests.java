package io.predicator.orc;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Plugins of one context that define the same symbols do not see each other's definitions or data, and closing
 * one leaves the others intact.
 */
class IsolationTests {
    private final JitContext context = JitContext.builder().build();

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void sameFunctionNameInTwoPluginsResolvesToEachOwn() {
        try (Plugin one = context.load(ModuleSource.ir("one.ll", TestModules.valueIr(1)));
             Plugin two = context.load(ModuleSource.ir("two.ll", TestModules.valueIr(2)))) {
            IntSupplier first = one.function("value", IntSupplier.class);
            IntSupplier second = two.function("value", IntSupplier.class);

            assertThat(first.getAsInt()).isEqualTo(1);
            assertThat(second.getAsInt()).isEqualTo(2);
            assertThat(one.address("value").orElseThrow().address())
                    .isNotEqualTo(two.address("value").orElseThrow().address());
        }
    }

    @Test
    void closingOnePluginLeavesTheOtherWorking() {
        Plugin one = context.load(ModuleSource.ir("one.ll", TestModules.valueIr(111)));
        try (Plugin two = context.load(ModuleSource.ir("two.ll", TestModules.valueIr(222)))) {
            IntSupplier second = two.function("value", IntSupplier.class);

            one.close();

            assertThat(second.getAsInt()).isEqualTo(222);
            assertThat(two.function("value", IntSupplier.class).getAsInt()).isEqualTo(222);
            assertThat(two.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).isEqualTo(5);
            assertThat(context.plugins()).containsExactly(two);
        }
    }

    @Test
    void sameModuleLoadedTwiceHasSeparateData() {
        ModuleSource data = TestModules.ir("data.ll");
        try (Plugin first = context.load(data); Plugin second = context.load(data)) {
            Runnable bumpFirst = first.function("bump", Runnable.class);
            bumpFirst.run();
            bumpFirst.run();
            bumpFirst.run();
            second.function("bump", Runnable.class).run();

            assertThat(first.function("count", LongSupplier.class).getAsLong()).isEqualTo(3);
            assertThat(second.function("count", LongSupplier.class).getAsLong()).isEqualTo(1);
            assertThat(first.address("counter").orElseThrow().get(JAVA_LONG, 0)).isEqualTo(3);
            assertThat(second.address("counter").orElseThrow().get(JAVA_LONG, 0)).isEqualTo(1);
        }
    }

    @Test
    void sameSymbolsInObjectsAreIsolatedToo() {
        byte[] one = TestModules.object(TestModules.valueIr(10));
        byte[] two = TestModules.object(TestModules.valueIr(20));
        try (Plugin first = context.load(ModuleSource.of("one.o", one));
             Plugin second = context.load(ModuleSource.of("two.o", two))) {
            assertThat(first.function("value", IntSupplier.class).getAsInt()).isEqualTo(10);
            assertThat(second.function("value", IntSupplier.class).getAsInt()).isEqualTo(20);
        }
    }

    @Test
    void reloadAfterCloseGetsFreshState() {
        ModuleSource data = TestModules.ir("data.ll");
        try (Plugin first = context.load(data)) {
            first.function("bump", Runnable.class).run();
            assertThat(first.function("count", LongSupplier.class).getAsLong()).isEqualTo(1);
        }
        try (Plugin again = context.load(data)) {
            MemorySegment table = again.address("table").orElseThrow();
            assertThat(again.function("count", LongSupplier.class).getAsLong()).isZero();
            assertThat(table.toArray(JAVA_INT)).containsExactly(10, 20, 30, 40);
        }
    }

    @Test
    void pluginsOfDifferentContextsAreIndependent() {
        JitContext other = JitContext.builder().build();
        Plugin there = other.load(ModuleSource.ir("there.ll", TestModules.valueIr(6)));
        try (Plugin here = context.load(ModuleSource.ir("here.ll", TestModules.valueIr(5)))) {
            assertThat(there.function("value", IntSupplier.class).getAsInt()).isEqualTo(6);

            other.close();

            assertThat(there.isClosed()).isTrue();
            assertThat(here.isClosed()).isFalse();
            assertThat(here.function("value", IntSupplier.class).getAsInt()).isEqualTo(5);
            assertThat(context.plugins()).containsExactly(here);
        }
    }
}
