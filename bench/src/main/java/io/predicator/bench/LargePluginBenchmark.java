package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.resolver.libc.LibcProfile;
import io.predicator.resolver.libc.LibcResolver;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.stream.Stream;

/**
 * Goal 6: the large plugin, SQLite's amalgamation (one C file of ~270,000 lines, ~2.7 MB of -O2 bitcode), loaded
 * through the public API with the C library as its resolver; each load ends with a first call
 * ({@code sqlite3_libversion_number}). Single shots, each in a fresh context.
 *
 * <ul>
 *   <li>{@code cold}: no object cache, optimisation and code generation at O2 on the context's default number of
 *       compile threads;</li>
 *   <li>{@code coldOneThread}: for information, the same with {@code compileThreads(1)};</li>
 *   <li>{@code warm}: the object cache holds the compiled object (filled at set-up); goal ≥ 20 times faster than
 *       cold;</li>
 *   <li>{@code floorLljitDefault}: the "single-threaded default": the parsed module handed to LLJIT as it is (code
 *       generation only, on the calling thread); goal: cold ≤ 0.6 times this;</li>
 *   <li>{@code floorSameSteps}: for information, the backend's LLVM-C steps hand-coded on one thread.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {Bench.NATIVE_ACCESS, Bench.STACK})
public class LargePluginBenchmark {
    static final String SYMBOL = "sqlite3_libversion_number";
    private static final FunctionDescriptor INT = FunctionDescriptor.of(ValueLayout.JAVA_INT);

    private byte[] bitcode;
    private Path cache;
    private JitContext jit;
    private Plugin plugin;
    private RawJit raw;
    private RawJit.Loaded loaded;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) throws IOException {
        bitcode = Plugins.largeBitcode();
        cache = Workspace.directory("large-plugin-cache");
        clear(cache);
        if (!params.getBenchmark().endsWith(".warm")) {
            return;
        }
        // Fill the cache once, so the warm loads hit it; the cold loads use no cache at all.
        try (JitContext filler = context(true); Plugin filled = load(filler)) {
            check(filled.function(SYMBOL, IntSupplier.class).getAsInt());
        }
    }

    @Setup(Level.Iteration)
    public void freshContexts() {
        jit = null;
        raw = null;
    }

    @TearDown(Level.Iteration)
    public void unload() {
        if (plugin != null) {
            plugin.close();
            plugin = null;
        }
        if (jit != null) {
            jit.close();
        }
        if (loaded != null) {
            raw.unload(loaded);
            loaded = null;
        }
        if (raw != null) {
            raw.close();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        clear(cache);
    }

    @Benchmark
    public int cold() {
        jit = context(false);
        plugin = load(jit);
        return check(plugin.function(SYMBOL, IntSupplier.class).getAsInt());
    }

    @Benchmark
    public int coldOneThread() {
        jit = JitContext.builder().resolver(LibcResolver.of(LibcProfile.FULL)).compileThreads(1).build();
        plugin = load(jit);
        return check(plugin.function(SYMBOL, IntSupplier.class).getAsInt());
    }

    @Benchmark
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public int warm() {
        jit = context(true);
        plugin = load(jit);
        return check(plugin.function(SYMBOL, IntSupplier.class).getAsInt());
    }

    @Benchmark
    public int floorLljitDefault() throws Throwable {
        raw = new RawJit(2);
        loaded = raw.load(bitcode, SYMBOL, INT, RawJit.Recipe.LLJIT_DEFAULT);
        return check((int) loaded.function().invokeExact());
    }

    @Benchmark
    public int floorSameSteps() throws Throwable {
        raw = new RawJit(2);
        loaded = raw.load(bitcode, SYMBOL, INT, RawJit.Recipe.SAME_STEPS);
        return check((int) loaded.function().invokeExact());
    }

    private JitContext context(boolean cached) {
        JitContext.Builder builder = JitContext.builder().resolver(LibcResolver.of(LibcProfile.FULL));
        return (cached ? builder.objectCache(cache) : builder).build();
    }

    private Plugin load(JitContext context) {
        return context.load(ModuleSource.bitcode("sqlite3.bc", bitcode), LoadOptions.defaults());
    }

    private static int check(int version) {
        if (version < 3_000_000) {
            throw new IllegalStateException("sqlite3_libversion_number() returned " + version);
        }
        return version;
    }

    private static void clear(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory)).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
