package io.predicator.bench;

import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.resolver.libc.LibcProfile;
import io.predicator.resolver.libc.LibcResolver;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Goal 6: the large plugin, SQLite's amalgamation (one C file of ~270,000 lines, ~2.7 MB of -O2 bitcode), from bitcode
 * to the result of a first call ({@code sqlite3_libversion_number}), each load in a fresh context or JIT.
 *
 * <p>Paths, each timed once per round:
 * <ul>
 *   <li>{@code cold}: the public API, no object cache, the context's default compile threads;</li>
 *   <li>{@code coldOneThread}: the same with {@code compileThreads(1)};</li>
 *   <li>{@code coldPreOptimized}: the same as {@code cold} with {@code LoadOptions.preOptimized(true)}: the
 *       bitcode is clang's {@code -O2} output, so only code generation runs, as in {@code lljitDefault};</li>
 *   <li>{@code onFirstUse}: the same as {@code coldPreOptimized} with {@code LoadOptions.compileOnFirstUse(true)}:
 *       the load generates no code, the first call compiles what {@code sqlite3_libversion_number} reaches;</li>
 *   <li>{@code onFirstUseSession}: the same load, then a session that reaches most of the library:
 *       {@code sqlite3_open(":memory:")}, {@code sqlite3_exec} of a table's creation, inserts and a query,
 *       {@code sqlite3_close}, each compiled on its first use; {@code coldPreOptimizedSession} runs the same
 *       session after a whole pre-optimised load;</li>
 *   <li>{@code coldUntrusted}: {@code cold} with the default trust: compiled in a compile worker (goal 7b);</li>
 *   <li>{@code onFirstUseUntrusted}: {@code onFirstUse} with the default trust: a compile worker parses and checks
 *       the bitcode first, which the other API paths skip with
 *       {@code trustInput(true)} because the raw paths they are compared with do not do it either;</li>
 *   <li>{@code lljitDefault}: the "single-threaded default": the parsed module handed to LLJIT as it is (code
 *       generation only, on the calling thread);</li>
 *   <li>{@code sameSteps}: the backend's LLVM-C steps hand-coded on one thread ({@code default<O2>} and code
 *       generation);</li>
 *   <li>{@code warm}: the public API with the object cache holding the compiled object (filled before the first
 *       round); the median of five loads.</li>
 * </ul>
 *
 * <p>Not JMH: these are single shots of 10 to 40 seconds, where warm-up and blackholes do nothing, and on a shared
 * VM the machine's speed drifts by a quarter over minutes. Rounds interleave the paths, so each ratio is taken
 * within a round, a minute or two apart at most. Prints one JSON object.
 */
public final class LargePluginRounds {
    static final String SYMBOL = "sqlite3_libversion_number";
    private static final FunctionDescriptor INT = FunctionDescriptor.of(ValueLayout.JAVA_INT);

    /** The API paths read the bitcode in this process, as the hand-coded paths they are compared with do. */
    private static final LoadOptions TRUSTED = LoadOptions.builder().trustInput(true).build();
    private static final LoadOptions ON_FIRST_USE = TRUSTED.toBuilder().preOptimized(true).compileOnFirstUse(true)
            .build();

    private final byte[] bitcode;

    private LargePluginRounds(byte[] bitcode) {
        this.bitcode = bitcode;
    }

    /**
     * Runs the rounds.
     *
     * @param arguments the number of rounds
     * @throws Throwable if a load fails
     */
    public static void main(String[] arguments) throws Throwable {
        int rounds = Integer.parseInt(arguments[0]);
        Path cache = Workspace.directory("large-plugin-cache");
        clear(cache);
        LargePluginRounds large = new LargePluginRounds(Plugins.largeBitcode());
        large.api(cache, 0, false); // fills the object cache
        List<Map<String, Object>> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Map<String, Object> times = new LinkedHashMap<>();
            times.put("cold", large.api(null, 0, false));
            times.put("coldUntrusted", large.api(context(null, 0), LoadOptions.defaults()));
            times.put("coldPreOptimized", large.api(null, 0, true));
            times.put("coldOneThread", large.api(null, 1, false));
            times.put("onFirstUse", large.onFirstUse(false));
            times.put("onFirstUseSession", large.onFirstUse(true));
            times.put("onFirstUseUntrusted", large.api(context(null, 0), ON_FIRST_USE.toBuilder().trustInput(false)
                    .build()));
            times.put("coldPreOptimizedSession", large.session(TRUSTED.toBuilder().preOptimized(true).build()));
            times.put("lljitDefault", large.raw(RawJit.Recipe.LLJIT_DEFAULT));
            times.put("sameSteps", large.raw(RawJit.Recipe.SAME_STEPS));
            List<Double> warm = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                warm.add(large.api(cache, 0, false));
            }
            times.put("warm", warm.stream().sorted().toList().get(warm.size() / 2));
            System.err.println("Round " + (round + 1) + " of " + rounds + ", milliseconds: " + times);
            results.add(times);
        }
        clear(cache);
        // One line: the parent reads the last line that starts with '{'.
        String json = Json.write(Map.of("rounds", results)).lines().map(String::strip).collect(Collectors.joining(" "));
        System.out.println(json);
    }

    /**
     * Loads through the public API and calls once.
     *
     * @param objectCache the object cache, or null for none
     * @param threads compile threads, or 0 for the context's default
     * @param preOptimized whether to skip the IR optimisation pipeline
     * @return the milliseconds from bitcode to the result
     */
    private double api(Path objectCache, int threads, boolean preOptimized) {
        return api(context(objectCache, threads), TRUSTED.toBuilder().preOptimized(preOptimized).build());
    }

    /** Loads into a context, which it closes, and calls once; returns the milliseconds to the result. */
    private double api(JitContext context, LoadOptions options) {
        try (JitContext jit = context) {
            long start = System.nanoTime();
            try (Plugin plugin = jit.load(ModuleSource.bitcode("sqlite3.bc", bitcode), options)) {
                check(plugin.function(SYMBOL, IntSupplier.class).getAsInt());
                return (System.nanoTime() - start) / 1e6;
            }
        }
    }

    /**
     * A context that resolves from the whole C library.
     *
     * @param objectCache the object cache, or null for none
     * @param threads compile threads, or 0 for the context's default
     */
    private static JitContext context(Path objectCache, int threads) {
        JitContext.Builder builder = JitContext.builder().resolver(LibcResolver.of(LibcProfile.FULL));
        if (threads > 0) {
            builder.compileThreads(threads);
        }
        if (objectCache != null) {
            builder.objectCache(objectCache);
        }
        return builder.build();
    }

    /**
     * Loads pre-optimised with compilation on first use and calls {@link #SYMBOL}, or runs a session.
     *
     * @return the milliseconds from bitcode to the result
     */
    private double onFirstUse(boolean session) throws Throwable {
        return session ? session(ON_FIRST_USE) : api(context(null, 0), ON_FIRST_USE);
    }

    /**
     * Loads, then opens an in-memory database, creates a table, inserts rows, sums them in a query and closes it.
     *
     * @return the milliseconds from bitcode to the query's result
     */
    private double session(LoadOptions options) throws Throwable {
        try (JitContext jit = context(null, 0)) {
            long start = System.nanoTime();
            try (Plugin plugin = jit.load(ModuleSource.bitcode("sqlite3.bc", bitcode), options);
                 Arena arena = Arena.ofConfined()) {
                MethodHandle open = plugin.function("sqlite3_open", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS));
                MethodHandle exec = plugin.function("sqlite3_exec", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                        ValueLayout.ADDRESS));
                MethodHandle close = plugin.function("sqlite3_close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                        ValueLayout.ADDRESS));
                MemorySegment database = arena.allocate(ValueLayout.ADDRESS);
                checkOk("sqlite3_open", (int) open.invokeExact(arena.allocateFrom(":memory:"), database));
                MemorySegment db = database.get(ValueLayout.ADDRESS, 0);
                MemorySegment sql = arena.allocateFrom("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES (1), (2), (39);"
                        + " CREATE TABLE s AS SELECT sum(x) AS total FROM t;");
                checkOk("sqlite3_exec", (int) exec.invokeExact(db, sql, MemorySegment.NULL, MemorySegment.NULL,
                        MemorySegment.NULL));
                checkOk("sqlite3_close", (int) close.invokeExact(db));
                return (System.nanoTime() - start) / 1e6;
            }
        }
    }

    private static void checkOk(String function, int result) {
        if (result != 0) {
            throw new IllegalStateException(function + " returned " + result);
        }
    }

    /** Loads with hand-coded LLVM-C and calls once; returns the milliseconds to the result. */
    private double raw(RawJit.Recipe recipe) throws Throwable {
        try (RawJit raw = new RawJit(2)) {
            long start = System.nanoTime();
            RawJit.Loaded loaded = raw.load(bitcode, SYMBOL, INT, recipe);
            check((int) loaded.function().invokeExact());
            double millis = (System.nanoTime() - start) / 1e6;
            raw.unload(loaded);
            return millis;
        }
    }

    private static void check(int version) {
        if (version < 3_000_000) {
            throw new IllegalStateException(SYMBOL + "() returned " + version);
        }
    }

    private static void clear(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).filter(path -> !path.equals(directory)).toList()) {
                Files.delete(path);
            }
        }
    }
}
