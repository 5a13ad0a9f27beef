package io.predicator.orc;

import io.predicator.HostFunctionException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.spi.SymbolResolver;
import io.predicator.plumbing.HostExceptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Plugins calling back into Java: exceptions of host functions reach the right caller, and a plugin cannot be
 * closed from inside its own call (which would wait for itself).
 */
class HostCallbackTests {
    private static final String PLUGIN = """
            declare i32 @host_fail()
            declare i32 @host_nested()
            declare i32 @host_close()

            define i32 @outer() {
              %failed = call i32 @host_fail()
              %nested = call i32 @host_nested()
              %sum = add i32 %failed, %nested
              ret i32 %sum
            }
            define i32 @inner() {
              ret i32 40
            }
            define i32 @self_closing() {
              %r = call i32 @host_close()
              ret i32 %r
            }
            define i32 @twice(i32 %x) {
              %r = mul i32 %x, 2
              ret i32 %r
            }
            """;

    private static volatile Plugin current;
    private static volatile Throwable closeFailure;
    private static volatile int nestedSaw;

    private Arena arena;
    private JitContext jit;

    @BeforeEach
    void load() throws ReflectiveOperationException {
        arena = Arena.ofShared();
        Map<String, MemorySegment> table = Map.of(
                "host_fail", stub("hostFail"),
                "host_nested", stub("hostNested"),
                "host_close", stub("hostClose"));
        jit = JitContext.builder()
                .resolver(SymbolResolver.of("host", symbol -> Optional.ofNullable(table.get(symbol)))).build();
        current = jit.load(ModuleSource.ir("callbacks", PLUGIN));
    }

    @AfterEach
    void close() {
        jit.close();
        arena.close();
    }

    @Test
    void anExceptionOfAnEarlierHostCallIsNotBlamedOnANestedPluginCall() {
        IntSupplier outer = current.function("outer", IntSupplier.class);
        assertThatThrownBy(outer::getAsInt)
                .isInstanceOf(HostFunctionException.class)
                .hasMessageContaining("'outer'")
                .cause().isInstanceOf(IllegalStateException.class).hasMessage("first");
        assertThat(nestedSaw).as("the nested call of inner() returned normally").isEqualTo(40);
        assertThat(current.function("twice", IntUnaryOperator.class).applyAsInt(21))
                .as("nothing stays pending for the next call").isEqualTo(42);
    }

    @Test
    void aPluginCannotBeClosedFromInsideItsOwnCall() {
        assertThat(current.function("self_closing", IntSupplier.class).getAsInt()).isEqualTo(-1);
        assertThat(closeFailure).isInstanceOf(IllegalStateException.class).hasMessageContaining("inside one of its own calls");
        assertThat(current.isClosed()).isFalse();
        assertThat(current.function("twice", IntUnaryOperator.class).applyAsInt(4)).isEqualTo(8);
    }

    static int hostFail() {
        HostExceptions.capture(new IllegalStateException("first"));
        return 0;
    }

    static int hostNested() {
        nestedSaw = current.function("inner", IntSupplier.class).getAsInt();
        return nestedSaw;
    }

    static int hostClose() {
        try {
            current.close();
            return 0;
        } catch (RuntimeException e) {
            closeFailure = e;
            return -1;
        }
    }

    private MemorySegment stub(String method) throws ReflectiveOperationException {
        return Linker.nativeLinker().upcallStub(
                MethodHandles.lookup().findStatic(HostCallbackTests.class, method, MethodType.methodType(int.class)),
                FunctionDescriptor.of(ValueLayout.JAVA_INT), arena);
    }
}
