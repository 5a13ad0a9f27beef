package io.predicator.toolchain;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.spi.SymbolResolver;

import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

/**
 * Loads a plugin and calls {@code divide(a, b)} with the arguments given; run in a child JVM by tests, because a
 * panicking plugin ends the process.
 */
final class PanicProbe {
    private PanicProbe() {
    }

    public static void main(String... args) {
        try (JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(ModuleSource.of(Path.of(args[0])), LoadOptions.builder()
                     .resolver(PluginRuntime.withRuntime(SymbolResolver.compilerSupport())).build())) {
            int result = plugin.function("divide", IntBinaryOperator.class)
                    .applyAsInt(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            System.out.println("returned " + result);
        }
    }
}
