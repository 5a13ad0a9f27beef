package io.predicator.orc.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.HostFunctionException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Optional;
import java.util.function.IntSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Closing a context releases its LLJIT: also after a close that failed because it was attempted from inside one of
 * its plugins' calls, where closing the plugin throws and freeing the JIT would free the code the call returns into.
 */
class OrcJitContextCloseTests {
    private static final String PLUGIN = """
            declare i32 @host_close_context()
            define i32 @closes_its_context() {
              %r = call i32 @host_close_context()
              ret i32 %r
            }
            define i32 @answer() {
              ret i32 42
            }
            """;

    private static volatile JitContext closing;
    private static volatile Throwable closeFailure;

    @Test
    void closingReleasesTheJit() {
        OrcJitContext context = (OrcJitContext) JitContext.builder().build();
        context.load(ModuleSource.ir("answer", "define i32 @answer() {\n  ret i32 42\n}\n"));
        assertThat(context.pipeline().isJitDisposed()).isFalse();

        context.close();
        context.close();

        assertThat(context.isClosed()).isTrue();
        assertThat(context.plugins()).isEmpty();
        assertThat(context.pipeline().isJitDisposed()).as("the LLJIT is disposed").isTrue();
    }

    @Test
    void aCloseFromInsideAPluginCallFailsWithoutLeakingTheJit() throws ReflectiveOperationException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment stub = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(
                            OrcJitContextCloseTests.class, "hostCloseContext", MethodType.methodType(int.class)),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT), arena);
            OrcJitContext context = (OrcJitContext) JitContext.builder()
                    .resolver(SymbolResolver.of("host", symbol -> symbol.equals("host_close_context")
                            ? Optional.of(stub) : Optional.empty()))
                    .build();
            closing = context;
            Plugin plugin = context.load(ModuleSource.ir("closer", PLUGIN));

            assertThat(plugin.function("closes_its_context", IntSupplier.class).getAsInt()).isEqualTo(-1);

            assertThat(closeFailure).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("inside a call of its plugin 'closer'");
            assertThat(context.isClosed()).as("the failed close left the context usable").isFalse();
            assertThat(plugin.function("answer", IntSupplier.class).getAsInt()).isEqualTo(42);

            context.close();

            assertThat(context.isClosed()).isTrue();
            assertThat(plugin.isClosed()).isTrue();
            assertThat(context.pipeline().isJitDisposed()).as("the LLJIT is disposed").isTrue();
            assertThatThrownBy(() -> plugin.function("answer", IntSupplier.class))
                    .isInstanceOf(AlreadyClosedException.class);
        }
    }

    @Test
    void aHostFunctionThatLetsTheFailedCloseEscapeStillLeavesTheContextClosable() throws ReflectiveOperationException {
        try (Arena arena = Arena.ofShared()) {
            MemorySegment stub = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(
                            OrcJitContextCloseTests.class, "hostCloseContextReporting",
                            MethodType.methodType(int.class)),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT), arena);
            OrcJitContext context = (OrcJitContext) JitContext.builder()
                    .resolver(SymbolResolver.of("host", symbol -> symbol.equals("host_close_context")
                            ? Optional.of(stub) : Optional.empty()))
                    .build();
            closing = context;
            Plugin plugin = context.load(ModuleSource.ir("closer", PLUGIN));

            assertThatThrownBy(() -> plugin.function("closes_its_context", IntSupplier.class).getAsInt())
                    .isInstanceOf(HostFunctionException.class)
                    .cause().isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("close it after the call returns");

            context.close();
            assertThat(context.pipeline().isJitDisposed()).as("the LLJIT is disposed").isTrue();
        }
    }

    static int hostCloseContext() {
        try {
            closing.close();
            return 0;
        } catch (RuntimeException e) {
            closeFailure = e;
            return -1;
        }
    }

    static int hostCloseContextReporting() {
        try {
            closing.close();
            return 0;
        } catch (RuntimeException e) {
            io.predicator.plumbing.HostExceptions.capture(e);
            return -1;
        }
    }
}
