package io.predicator.cli;

import io.predicator.toolchain.CompiledPlugin;
import io.predicator.toolchain.OutputKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code predicator build SRC... -o OUT}: compiles plugin sources into one module file.
 */
@Command(name = "build",
        mixinStandardHelpOptions = true,
        versionProvider = PredicatorCommand.Version.class,
        description = "Compiles plugin sources into one module that Predicator loads: C and C++ files (linked "
                + "together) with the clang bundled in Predicator's LLVM, a Rust file or a Cargo project with cargo.",
        footer = {"",
                "C and C++ become LLVM bitcode, which keeps the functions' signatures; Rust becomes one "
                        + "self-contained ELF object (rustc's LLVM is newer than Predicator's, so its bitcode is not "
                        + "handed over). Results are cached by content: an unchanged build is instant.",
                "Compiler errors are printed as the compiler wrote them, with file and line.",
                "",
                "Examples:",
                "  predicator build examples/record-filter-c/filter.c -o filter.bc",
                "  predicator build examples/rust-nostd -o checksum.o"})
final class BuildCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private JitOptions jitOptions;

    @Mixin
    private SourceOptions sourceOptions;

    @Option(names = {"-o", "--output"}, paramLabel = "OUT", required = true,
            description = "The module file to write.")
    private Path output;

    @Option(names = "--emit", paramLabel = "KIND", converter = KindConverter.class,
            description = "What to produce: bitcode or object; by default bitcode for C and C++, an object for Rust.")
    private OutputKind kind;

    @Parameters(index = "0..*", arity = "1..*", paramLabel = "SRC",
            description = "C or C++ files, one Rust file, or one Cargo project directory.")
    private List<Path> sources;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        CompiledPlugin compiled = sourceOptions.compile(sources, jitOptions.optimizationLevel(), kind, err);
        try {
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.copy(compiled.artifact(), output, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println(output + ": " + describe(compiled) + ", " + compiled.source().size() + " bytes"
                + (compiled.cacheHit() ? " (cached)" : ""));
        out.flush();
        return 0;
    }

    private static String describe(CompiledPlugin compiled) {
        return switch (compiled.format()) {
            case BITCODE -> "LLVM bitcode";
            case OBJECT -> "ELF object";
            case ARCHIVE -> "ar archive";
            case IR_TEXT -> "LLVM IR text";
        };
    }

    /** Reads {@code --emit}. */
    static final class KindConverter implements ITypeConverter<OutputKind> {
        @Override
        public OutputKind convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "bitcode", "bc" -> OutputKind.BITCODE;
                case "object", "obj", "o" -> OutputKind.OBJECT;
                default -> throw new TypeConversionException("'" + value + "' is not an output kind: use bitcode or object");
            };
        }
    }
}
