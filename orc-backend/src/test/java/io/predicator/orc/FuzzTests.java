package io.predicator.orc;

import io.predicator.fixtures.ArchiveMember;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Property-based fuzzing of the loader: random, truncated, bit-flipped and mutated bitcode, mutated IR text, objects
 * for another architecture and ELF objects with corrupted headers, section tables, symbols and relocations. Every
 * input must either load or fail with a {@link JitException}, and the same context must then still load and call a
 * good plugin.
 *
 * <p>Each property draws its cases from a seeded {@link Random}: {@code -Dpredicator.fuzz.seed=<n>} (default fixed,
 * so CI is reproducible; {@code random} picks one and prints it) and {@code -Dpredicator.fuzz.scale=<k>} multiplies
 * the number of tries for longer exploration. The input of the case in progress is written to
 * {@code target/fuzz-inputs/<property>.last} first, so a case that kills the JVM leaves its reproducer behind; a
 * case that fails the property is saved next to it with its seed.
 *
 * <p>Written on JUnit Jupiter rather than jqwik: jqwik's maintainers ask, since 1.10, that it not be used by AI
 * coding agents, which write much of this project; this small harness covers what the properties need.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FuzzTests {
    private static final long SEED = seed();
    private static final int SCALE = Integer.getInteger("predicator.fuzz.scale", 1);
    private static final Duration HANG_GUARD = Duration.ofMinutes(5);
    private static final Path INPUTS = Path.of("target", "fuzz-inputs");
    private static final List<String> FIXTURES = List.of("arith.ll", "compute.ll", "data.ll", "types.ll", "memops.ll",
            "wait.ll");
    private static final List<byte[]> MAGIC_NUMBERS = List.of(
            new byte[] {'B', 'C', (byte) 0xC0, (byte) 0xDE},
            new byte[] {(byte) 0xDE, (byte) 0xC0, 0x17, 0x0B},
            new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1, 0},
            "!<arch>\n".getBytes(StandardCharsets.US_ASCII),
            "; ModuleID = 'fuzz'\n".getBytes(StandardCharsets.US_ASCII));

    private final Map<String, String> ir = new LinkedHashMap<>();
    private final Map<String, byte[]> bitcode = new LinkedHashMap<>();
    private final Map<String, byte[]> objects = new LinkedHashMap<>();
    private final Map<String, byte[]> foreignObjects = new LinkedHashMap<>();
    /** Well-formed bitcode that hurts LLVM: chains, loop nests and code generator probes, written once. */
    private final Map<String, byte[]> crafted = new LinkedHashMap<>();
    private JitContext context;
    private byte[] goodObject;

    /** One generated case: a name for messages, its bytes, and how to turn them into a module source. */
    private record Case(String name, byte[] bytes, Function<Case, ModuleSource> source, String description) {
        static Case detect(String name, byte[] bytes, String description) {
            return new Case(name, bytes, c -> ModuleSource.of(c.name(), c.bytes()), description);
        }

        static Case irText(String name, String text, String description) {
            return new Case(name, text.getBytes(StandardCharsets.UTF_8),
                    c -> ModuleSource.ir(c.name(), new String(c.bytes(), StandardCharsets.UTF_8)), description);
        }
    }

    /** How the cases of one property went. */
    private record Outcome(int tries, int loaded, int refused) {
    }

    @BeforeAll
    void createContextAndFixtures() throws IOException {
        context = JitContext.builder().build();
        for (String fixture : FIXTURES) {
            String text = TestModules.irText(fixture);
            ir.put(fixture, text);
            bitcode.put(fixture, TestModules.bitcode(text));
            objects.put(fixture, TestModules.object(text));
            foreignObjects.put(fixture, TestModules.aarch64Object(text));
        }
        goodObject = objects.get(TestModules.ARITH);
        craftBitcode();
        Files.createDirectories(INPUTS);
        System.out.println("FuzzTests seed " + SEED + " scale " + SCALE + " (-Dpredicator.fuzz.seed=" + SEED + ")");
    }

    @AfterAll
    void closeContext() {
        context.close();
    }

    @Test
    void randomBytesAreRefused() {
        Outcome outcome = property("random-bytes", 750,
                random -> Case.detect("random.bin", Mutations.randomBytes(random), "random bytes"));
        assertThat(outcome.loaded()).as("random bytes never form a module").isZero();
    }

    @Test
    void randomBytesBehindAMagicNumberAreRefused() {
        Outcome outcome = property("magic-prefixed", 750, random -> {
            byte[] magic = MAGIC_NUMBERS.get(random.nextInt(MAGIC_NUMBERS.size()));
            return Case.detect("magic.bin", Mutations.prefixed(magic, random), "magic " + magic[0] + " + random");
        });
        assertThat(outcome.loaded()).isZero();
    }

    @Test
    void truncatedBitcodeIsRefused() {
        Outcome outcome = property("truncated-bitcode", 500, random -> {
            String fixture = pick(random);
            byte[] whole = random.nextInt(4) == 0 ? TestModules.wrapBitcode(bitcode.get(fixture)) : bitcode.get(fixture);
            byte[] cut = Mutations.truncated(whole, random);
            return Case.detect(fixture + ".bc", cut, "bitcode of " + fixture + " cut to " + cut.length + " of "
                    + whole.length);
        });
        assertThat(outcome.refused()).isEqualTo(outcome.tries());
    }

    /**
     * Bit flips crash LLVM's bitcode reader about 3 times in 1,000 (the default seed hits one in memops.ll's
     * attribute groups), so this property loads the damaged bitcode as untrusted: compiled in a compile worker.
     */
    @Test
    void bitFlippedUntrustedBitcodeLoadsOrIsRefused() {
        LoadOptions untrusted = LoadOptions.defaults(); // input is untrusted unless trustInput(true)
        Outcome outcome = property("bit-flipped-bitcode", 750, untrusted, random -> {
            String fixture = pick(random);
            return Case.detect(fixture + ".bc", Mutations.bitFlipped(bitcode.get(fixture), random),
                    "bit flips in bitcode of " + fixture);
        });
        assertThat(outcome.refused()).as("most damaged bitcode is refused").isPositive();
    }

    @Test
    void byteMutatedBitcodeLoadsOrIsRefused() {
        Outcome outcome = property("mutated-bitcode", 750, random -> {
            String fixture = pick(random);
            return Case.detect(fixture + ".bc", Mutations.byteMutated(bitcode.get(fixture), random),
                    "byte edits of bitcode of " + fixture);
        });
        assertThat(outcome.refused()).isPositive();
    }

    @Test
    void irWithLinesDeletedDuplicatedOrSwappedLoadsOrIsRefused() {
        Outcome outcome = property("line-mutated-ir", 750, random -> {
            String fixture = pick(random);
            return Case.irText(fixture, Mutations.lineMutated(ir.get(fixture), random), "line edits of " + fixture);
        });
        assertThat(outcome.refused()).isPositive();
        assertThat(outcome.loaded()).as("some edits keep the module valid").isPositive();
    }

    @Test
    void irWithTokensDeletedDuplicatedSwappedOrReplacedLoadsOrIsRefused() {
        Outcome outcome = property("token-mutated-ir", 1000, random -> {
            String fixture = pick(random);
            return Case.irText(fixture, Mutations.tokenMutated(ir.get(fixture), random), "token edits of " + fixture);
        });
        assertThat(outcome.refused()).isPositive();
    }

    @Test
    void objectsForAnotherArchitectureAreRefused() {
        Outcome outcome = property("foreign-objects", 300, random -> {
            String fixture = pick(random);
            byte[] object = foreignObjects.get(fixture);
            byte[] bytes = random.nextBoolean() ? object : Mutations.editFields(object,
                    Mutations.elfTableFields(object), 2, random).bytes();
            return Case.detect(fixture + ".aarch64.o", bytes, "aarch64 object of " + fixture);
        });
        assertThat(outcome.loaded()).as("an aarch64 object never loads on x86-64").isZero();
    }

    @Test
    void objectsWithCorruptHeadersAreRefusedOrLoad() {
        Outcome outcome = property("corrupt-elf-header", 1000, random -> {
            String fixture = pick(random);
            Mutations.Edited edited = Mutations.editFields(objects.get(fixture),
                    Mutations.elfHeaderFields(objects.get(fixture)), 2, random);
            return Case.detect(fixture + ".o", edited.bytes(), fixture + ".o: " + edited.description());
        });
        assertThat(outcome.refused()).isPositive();
    }

    @Test
    void objectsWithCorruptSectionsSymbolsOrRelocationsAreRefusedOrLoad() {
        Outcome outcome = property("corrupt-elf-tables", 2000, random -> {
            String fixture = pick(random);
            Mutations.Edited edited = Mutations.editFields(objects.get(fixture),
                    Mutations.elfTableFields(objects.get(fixture)), 3, random);
            return Case.detect(fixture + ".o", edited.bytes(), fixture + ".o: " + edited.description());
        });
        assertThat(outcome.refused()).isPositive();
    }

    @Test
    void byteMutatedObjectsAndArchivesAreRefusedOrLoad() {
        Outcome outcome = property("mutated-object-archive", 750, random -> {
            String fixture = pick(random);
            byte[] object = objects.get(fixture);
            if (random.nextBoolean()) {
                return Case.detect(fixture + ".o", Mutations.byteMutated(object, random), "byte edits of " + fixture
                        + ".o");
            }
            byte[] archive = TestModules.archive(random.nextBoolean(), new ArchiveMember("a.o", object),
                    new ArchiveMember("b.bc", bitcode.get(pick(random))));
            return Case.detect(fixture + ".a", Mutations.byteMutated(archive, random), "byte edits of an archive with "
                    + fixture + ".o");
        });
        assertThat(outcome.refused()).isPositive();
    }

    /**
     * IR generated to hurt LLVM rather than mutated from a fixture: reference chains (metadata, named structs,
     * aliases) of random lengths, nesting around the parser's limit, loop nests and code generator probes, some with
     * a token edited.
     */
    @Test
    void generatedIrThatHurtsLlvmLoadsOrIsRefused() {
        List<String> probes = List.copyOf(GeneratedModules.codegenProbes().values());
        Outcome outcome = property("generated-ir", 700, random -> {
            String text = switch (random.nextInt(5)) {
                case 0 -> List.copyOf(GeneratedModules.chains(500 + random.nextInt(4_000), 500 + random.nextInt(1_500))
                        .values()).get(random.nextInt(3));
                case 1 -> nested(200 + random.nextInt(120), random);
                case 2 -> GeneratedModules.loopNest(1 + random.nextInt(24));
                default -> probes.get(random.nextInt(probes.size()));
            };
            String edited = random.nextInt(4) == 0 ? Mutations.tokenMutated(text, random) : text;
            return Case.irText("generated.ll", edited, "generated IR of " + text.length() + " characters");
        });
        assertThat(outcome.refused()).isPositive();
        assertThat(outcome.loaded()).isPositive();
    }

    /** The generated modules as well-formed bitcode (LLVM's own reader accepts every one), some bit-flipped. */
    @Test
    void craftedBitcodeLoadsOrIsRefused() {
        List<String> names = List.copyOf(crafted.keySet());
        Outcome outcome = property("crafted-bitcode", 400, random -> {
            String name = names.get(random.nextInt(names.size()));
            byte[] bytes = crafted.get(name);
            boolean flip = random.nextInt(3) == 0;
            return Case.detect(name + ".bc", flip ? Mutations.bitFlipped(bytes, random) : bytes,
                    "crafted bitcode " + name + (flip ? ", bit-flipped" : ""));
        });
        assertThat(outcome.refused()).isPositive();
        assertThat(outcome.loaded()).isPositive();
    }

    /** A function whose body nests array types this deep: around the parser's limit of 256 levels. */
    private static String nested(int depth, Random random) {
        String type = "i8";
        for (int i = 0; i < depth; i++) {
            type = "[" + (1 + random.nextInt(2)) + " x " + type + "]";
        }
        return "define void @f(ptr %p) {\n  %v = load " + type + ", ptr %p\n  ret void\n}\n";
    }

    /**
     * Writes the generated modules as bitcode, parsed on a thread with a large stack (the chains are long): fixtures
     * made once, before any case runs.
     */
    private void craftBitcode() {
        Map<String, String> sources = new LinkedHashMap<>();
        for (int length : new int[] {1_000, 3_000}) { // alias chains compile in quadratic time: 10,000 take 13 s
            GeneratedModules.chains(length, length / 2).forEach((name, text) -> sources.put(name + "-" + length, text));
        }
        sources.put("loop-nest-16", GeneratedModules.loopNest(16));
        GeneratedModules.codegenProbes().forEach((name, text) -> {
            if (!name.equals("spirv-image-argument")) { // does not parse: no bitcode to write
                sources.put(name, text);
            }
        });
        Thread writer = Thread.ofPlatform().stackSize(256L << 20).unstarted(() ->
                sources.forEach((name, text) -> crafted.put(name, TestModules.bitcode(text))));
        writer.start();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertThat(crafted).hasSameSizeAs(sources);
    }

    /**
     * Runs {@code tries × scale} cases; each must load or throw a {@link JitException}, and the context must load and
     * call a good plugin afterwards.
     */
    private Outcome property(String name, int tries, Function<Random, Case> generator) {
        return property(name, tries, LoadOptions.defaults(), generator);
    }

    private Outcome property(String name, int tries, LoadOptions options, Function<Random, Case> generator) {
        int total = tries * SCALE;
        int[] counts = new int[2];
        assertTimeoutPreemptively(HANG_GUARD.multipliedBy(SCALE), () -> {
            for (int attempt = 0; attempt < total; attempt++) {
                long seed = caseSeed(name, attempt);
                Case generated = generator.apply(new Random(seed));
                write(INPUTS.resolve(name + ".last"), generated.bytes());
                Throwable thrown = null;
                try {
                    ModuleSource source = generated.source().apply(generated);
                    try (Plugin plugin = context.load(source, options)) {
                        plugin.exports();
                    }
                } catch (Throwable e) {
                    thrown = e;
                }
                if (thrown == null) {
                    counts[0]++;
                } else if (thrown instanceof JitException) {
                    counts[1]++;
                } else {
                    Path saved = INPUTS.resolve(name + "-" + seed + ".bin");
                    write(saved, generated.bytes());
                    throw new AssertionError(name + " case " + attempt + " (seed " + seed + ", " + generated.description()
                            + ", saved as " + saved + ") threw " + thrown + " instead of a JitException", thrown);
                }
                contextStillWorks(name, attempt, seed, generated);
            }
        });
        Outcome outcome = new Outcome(total, counts[0], counts[1]);
        System.out.printf("FuzzTests %s: %d cases, %d loaded, %d refused%n", name, total, counts[0], counts[1]);
        return outcome;
    }

    private void contextStillWorks(String name, int attempt, long seed, Case generated) {
        String after = name + " case " + attempt + " (seed " + seed + ", " + generated.description() + ")";
        assertThat(context.plugins()).as("plugins left behind after %s", after)
                .withRepresentation(plugins -> plugins.toString() + " faults " + context.plugins().stream()
                        .map(Plugin::fault).toList())
                .isEmpty();
        try (Plugin good = context.load(ModuleSource.of("good.o", goodObject))) {
            assertThat(good.function("add", IntBinaryOperator.class).applyAsInt(2, 3)).as("after %s", after)
                    .isEqualTo(5);
        }
        if (attempt % 25 == 0) {
            try (Plugin good = context.load(TestModules.ir(TestModules.ARITH))) {
                assertThat(good.function("mul", IntBinaryOperator.class).applyAsInt(6, 7)).as("after %s", after)
                        .isEqualTo(42);
            }
        }
    }

    private String pick(Random random) {
        return FIXTURES.get(random.nextInt(FIXTURES.size()));
    }

    private static long caseSeed(String property, int attempt) {
        long mixed = SEED ^ (property.hashCode() * 0x9E37_79B9_7F4A_7C15L) ^ (attempt * 0xBF58_476D_1CE4_E5B9L);
        mixed = (mixed ^ (mixed >>> 30)) * 0x94D0_49BB_1331_11EBL;
        return mixed ^ (mixed >>> 31);
    }

    private static long seed() {
        String configured = System.getProperty("predicator.fuzz.seed", "20261124");
        return configured.equals("random") ? System.nanoTime() : Long.parseLong(configured);
    }

    private static void write(Path path, byte[] bytes) {
        try {
            Files.write(path, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
