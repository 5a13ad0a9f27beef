package io.predicator.toolchain;

import io.predicator.spi.SymbolResolver;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * The one host function generated plugins rely on, {@code predicator_panic}, as a resolver for backends that do not
 * serve it themselves.
 *
 * <pre>{@code
 * void predicator_panic(const uint8_t *message, size_t length);  // never returns
 * }</pre>
 *
 * <p>A panic in a {@code #![no_std]} plugin cannot unwind into Java and must not return to the code that panicked.
 * The ORC backend serves {@code predicator_panic} from its own runtime, ahead of every resolver: a panic ends the
 * call with a {@link io.predicator.PluginFaultException} of kind {@code PANIC} that carries the message, the plugin
 * closes, and the process goes on. Under that backend this resolver is never asked for the symbol, and nothing needs
 * it.
 *
 * <p>For a backend without that runtime, the function this resolver provides prints
 * {@code predicator: plugin panicked: <message>} on standard error and ends the process with status 134, as a Rust
 * program built with {@code panic = "abort"} would. It never loops.
 *
 * @since 0.1
 * @deprecated the ORC backend serves {@code predicator_panic} itself and turns a panic into an exception; load
 *             plugins with the resolver alone
 */
@Deprecated(since = "0.2")
public final class PluginRuntime {
    /** The name of the panic hook. */
    public static final String PANIC_SYMBOL = "predicator_panic";

    /** The exit status after a panic: 128 + SIGABRT, what an abort reports. */
    public static final int PANIC_EXIT_STATUS = 134;

    private static final SymbolResolver RESOLVER = new SymbolResolver() {
        @Override
        public String id() {
            return "plugin-runtime";
        }

        @Override
        public Optional<MemorySegment> resolve(String symbol) {
            requireNonNull(symbol, "symbol is null");
            return symbol.equals(PANIC_SYMBOL) ? Optional.of(PanicStub.ADDRESS) : Optional.empty();
        }

        @Override
        public String toString() {
            return "SymbolResolver[plugin-runtime]";
        }
    };

    private PluginRuntime() {
    }

    /**
     * Returns a resolver that provides {@code predicator_panic} and nothing else; id {@code plugin-runtime}.
     *
     * @return the runtime resolver
     */
    public static SymbolResolver resolver() {
        return RESOLVER;
    }

    /**
     * Returns a resolver that provides {@code predicator_panic} and otherwise answers as the given one.
     *
     * @param resolver the resolver for every other symbol
     * @return the combined resolver, with the given resolver's id
     */
    public static SymbolResolver withRuntime(SymbolResolver resolver) {
        requireNonNull(resolver, "resolver is null");
        return new SymbolResolver() {
            @Override
            public String id() {
                return resolver.id();
            }

            @Override
            public Optional<MemorySegment> resolve(String symbol) {
                requireNonNull(symbol, "symbol is null");
                return symbol.equals(PANIC_SYMBOL) ? Optional.of(PanicStub.ADDRESS) : resolver.resolve(symbol);
            }

            @Override
            public List<String> consultedIds() {
                List<String> ids = new ArrayList<>(List.of(RESOLVER.id()));
                ids.addAll(resolver.consultedIds());
                return ids;
            }

            @Override
            public String toString() {
                return "SymbolResolver[plugin-runtime + " + resolver + "]";
            }
        };
    }

    /** Reports a panic and ends the process; the target of the upcall stub. */
    private static void panic(MemorySegment message, long length) {
        String text;
        try {
            long size = Math.max(0, Math.min(length, 64 * 1024));
            byte[] bytes = message.equals(MemorySegment.NULL) ? new byte[0]
                    : message.reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (Throwable unreadable) {
            text = "(the message could not be read: " + unreadable + ")";
        }
        try {
            PrintStream err = System.err;
            err.println("predicator: plugin panicked: " + (text.isEmpty() ? "(no message)" : text));
            err.flush();
        } finally {
            Runtime.getRuntime().halt(PANIC_EXIT_STATUS);
        }
    }

    /** Holds the upcall stub, created on first use and kept for the life of the process. */
    private static final class PanicStub {
        private static final MemorySegment ADDRESS = create();

        private static MemorySegment create() {
            try {
                var target = MethodHandles.lookup().findStatic(PluginRuntime.class, "panic",
                        MethodType.methodType(void.class, MemorySegment.class, long.class));
                return Linker.nativeLinker().upcallStub(target,
                        FunctionDescriptor.ofVoid(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG), Arena.global());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create the predicator_panic upcall", e);
            }
        }
    }
}
