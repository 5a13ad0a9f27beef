package io.predicator.testkit.internal;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.Signature;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.fixtures.PluginSources;
import io.predicator.spi.SymbolResolver;
import io.predicator.testkit.BackendCapability;
import io.predicator.testkit.BackendUnderTest;
import io.predicator.testkit.Requirement;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntBinaryOperator;
import java.util.function.IntSupplier;

import static io.predicator.testkit.BackendRequirement.B12;
import static io.predicator.testkit.internal.Verdicts.check;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the backend contracts' checks share: compiled fixtures, contexts for the backend under test, bounded waits.
 */
public final class BackendSupport {
    public static final Signature BINARY_INT = Signature.of("i32", "i32", "i32");
    public static final FunctionDescriptor WAIT_FOR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    public static final VarHandle INT_AT = JAVA_INT.varHandle();
    public static final long CALL_START_SECONDS = 10;
    public static final long CLOSE_HELD_MILLIS = 200;

    private BackendSupport() {
    }

    /** Compiled fixtures, made once per JVM on first use. */
    public static final class Compiled {
        public static final String ARITHMETIC = PluginSources.arithmetic();
        public static final byte[] ARITHMETIC_BITCODE = FixtureCompiler.bitcode(ARITHMETIC);
        public static final byte[] ARITHMETIC_OBJECT = FixtureCompiler.object(ARITHMETIC);
        public static final byte[] DATA_OBJECT = FixtureCompiler.object(PluginSources.data());
    }

    // ---- shared --------------------------------------------------------------------------------------------------

    public static void arithmeticWorks(Requirement requirement, Plugin plugin) {
        check(requirement, "calling add, sub and mul of " + plugin.name(), () -> {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).as("add(2, 3)").isEqualTo(5);
            assertThat(plugin.function("sub", IntBinaryOperator.class).applyAsInt(2, 3)).as("sub(2, 3)").isEqualTo(-1);
            assertThat(plugin.function("mul", IntBinaryOperator.class).applyAsInt(-7, 6)).as("mul(-7, 6)").isEqualTo(-42);
        });
    }

    public static JitContext context(BackendUnderTest contract, SymbolResolver resolver) {
        JitContext context;
        try {
            context = contract.createContext(resolver);
        } catch (RuntimeException | Error e) {
            throw new SetupProblem("createContext(SymbolResolver) threw", e);
        }
        if (context == null) {
            throw new SetupProblem("createContext(SymbolResolver) returned null", null);
        }
        return context;
    }

    public static Set<BackendCapability> capabilities(BackendUnderTest contract) {
        Set<BackendCapability> capabilities;
        try {
            capabilities = contract.capabilities();
        } catch (RuntimeException | Error e) {
            throw new SetupProblem("capabilities() threw", e);
        }
        if (capabilities == null) {
            throw new SetupProblem("capabilities() returned null", null);
        }
        return Set.copyOf(capabilities);
    }

    /** Runs code and returns what it threw, or null. */
    public static Throwable thrown(Verdicts.Check code) {
        try {
            code.run();
            return null;
        } catch (Throwable thrown) {
            return thrown;
        }
    }

    public static String outcome(Future<?> future) {
        try {
            return "it returned " + future.get(0, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return "it threw " + e.getCause();
        } catch (Exception e) {
            return "unknown";
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** After a failed load: no half-loaded plugin, the steady plugin still works, and a new good one loads. */
    public static void stillUsable(JitContext context, Plugin steady) {
        check(B12, "the context after a failed load", () -> {
            assertThat(context.isClosed()).as("isClosed()").isFalse();
            assertThat(context.plugins()).as("plugins()").containsExactly(steady);
            assertThat(steady.function("value", IntSupplier.class).getAsInt()).as("a plugin loaded before").isEqualTo(99);
            try (Plugin good = context.load(ModuleSource.ir("good.ll", PluginSources.constant(314)))) {
                assertThat(good.function("value", IntSupplier.class).getAsInt()).as("a plugin loaded after")
                        .isEqualTo(314);
            }
            assertThat(context.plugins()).containsExactly(steady);
        });
    }
}
