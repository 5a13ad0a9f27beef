package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntBinaryOperator;

/**
 * The program whose start-up {@link RunAll} times in fresh JVMs: it loads the small plugin's bitcode from a file and
 * calls it once, then prints one line, {@code ready <result> <phase timings in µs>}, and exits.
 *
 * <p>Modes: {@code empty} prints at once (the JVM's own start-up, for comparison); {@code cold} loads without an
 * object cache; {@code cached} loads with the object cache in the given directory (filled by an earlier run).
 */
public final class FirstCall {
    private FirstCall() {
    }

    /**
     * Runs one fresh-JVM measurement.
     *
     * @param arguments the mode, the bitcode file, and for {@code cached} the cache directory
     * @throws Exception if anything fails
     */
    public static void main(String[] arguments) throws Exception {
        long start = System.nanoTime();
        String mode = arguments[0];
        if (mode.equals("empty")) {
            System.out.println("ready 0 main=0");
            return;
        }
        ModuleSource source = ModuleSource.of(Path.of(arguments[1]));
        JitContext.Builder builder = JitContext.builder();
        if (mode.equals("cached")) {
            builder.objectCache(Files.createDirectories(Path.of(arguments[2])));
        }
        try (JitContext jit = builder.build()) {
            long built = System.nanoTime();
            try (Plugin plugin = jit.load(source)) {
                long loaded = System.nanoTime();
                int result = plugin.function("score", IntBinaryOperator.class).applyAsInt(1234, 42);
                long called = System.nanoTime();
                System.out.println("ready " + result + " context=" + (built - start) / 1_000 + " load="
                        + (loaded - built) / 1_000 + " call=" + (called - loaded) / 1_000);
            }
        }
    }
}
