package io.predicator.cli;

import io.predicator.ExportedFunction;
import io.predicator.JitContext;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.ModuleSource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code predicator inspect FILE}: shows a module's format, exports and imports without loading it.
 */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        versionProvider = PredicatorCommand.Version.class,
        description = "Shows what a plugin exports (functions with their signatures, and data) and the undefined "
                + "symbols it imports, without loading it.",
        footer = {"", "Imports include helpers the code generator adds for IR and bitcode, such as memcpy.",
                "", "Example: predicator inspect examples/hello/add.ll"})
final class InspectCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private JitOptions jitOptions;

    @Mixin
    private SourceOptions sourceOptions;

    @Mixin
    private LoadFlags loadFlags;

    @Parameters(index = "0", paramLabel = "FILE",
            description = "The plugin: .ll, .bc, .o or .a, or a source (.c, .cpp, .rs, a Cargo project) to compile first.")
    private Path file;

    @Override
    public Integer call() {
        ModuleSource source = sourceOptions.read(file, List.of(), jitOptions.optimizationLevel(),
                spec.commandLine().getErr());
        ModuleInfo info;
        try (JitContext jit = jitOptions.newContext()) {
            info = jit.inspect(source, loadFlags.loadOptions());
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(describe(info));
        out.flush();
        return 0;
    }

    /**
     * Lays out a module's description: one header line per property, then one indented line per symbol.
     */
    static String describe(ModuleInfo info) {
        StringBuilder text = new StringBuilder();
        text.append("module: ").append(info.name()).append('\n');
        text.append("format: ").append(describe(info.format())).append('\n');
        section(text, "functions", info.functions().stream().map(ExportedFunction::toString).toList());
        section(text, "data", info.data());
        section(text, "imports", info.imports());
        if (info.inlineAssembly()) {
            text.append("inline assembly: yes (loading needs it allowed explicitly)\n");
        }
        return text.toString();
    }

    private static void section(StringBuilder text, String title, List<String> lines) {
        if (lines.isEmpty()) {
            text.append(title).append(": none\n");
            return;
        }
        text.append(title).append(" (").append(lines.size()).append("):\n");
        lines.forEach(line -> text.append("  ").append(line).append('\n'));
    }

    private static String describe(ModuleFormat format) {
        return switch (format) {
            case IR_TEXT -> "LLVM IR text";
            case BITCODE -> "LLVM bitcode";
            case OBJECT -> "ELF object (no types: run needs --signature)";
            case ARCHIVE -> "ar archive of ELF objects (no types: run needs --signature)";
        };
    }
}
