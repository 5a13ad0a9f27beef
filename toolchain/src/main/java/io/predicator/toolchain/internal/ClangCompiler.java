package io.predicator.toolchain.internal;

import io.predicator.orc.programs.LlvmPrograms;
import io.predicator.toolchain.CompilationFailedException;
import io.predicator.toolchain.CompileRequest;
import io.predicator.toolchain.OutputKind;
import io.predicator.toolchain.spi.CompilerResult;
import io.predicator.toolchain.spi.PluginCompiler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compiles C and C++ with the clang bundled in {@code org.bytedeco:llvm}, the JIT's own LLVM version, so that its
 * bitcode always loads; id {@code c}.
 *
 * <p>Each translation unit becomes bitcode ({@code -c -emit-llvm -fPIC -fstack-protector-strong}, plus
 * {@code -D_FORTIFY_SOURCE=2} when optimising; no debug information); several are joined
 * with {@code llvm-link} into one module, so that the JIT optimises across them and checks every signature. An object
 * is generated from that module only when asked for. System headers ({@code /usr/include}) and clang's own
 * ({@code stddef.h}, {@code stdint.h} …) are found as for any host compile; libc calls resolve at load time through
 * the plugin's resolver. Translation units compile in parallel, one per core.
 */
public final class ClangCompiler implements PluginCompiler {
    /** The compiler's id. */
    public static final String ID = "c";

    /** Changes whenever the flags below change, so that caches built with other flags are not reused. */
    private static final String FLAGS_VERSION = "c-flags-2";

    private static final Set<String> CXX = Set.of("cc", "cpp", "cxx", "c++");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> extensions() {
        return Set.of("c", "cc", "cpp", "cxx", "c++");
    }

    @Override
    public String version() {
        return "clang " + BundledLlvm.get().version() + " (bundled), " + FLAGS_VERSION;
    }

    @Override
    public CompilerResult compile(CompileRequest request, Path output, Duration timeout) {
        LlvmPrograms llvm = BundledLlvm.get();
        long deadline = Processes.deadline(timeout);
        Path work = output.toAbsolutePath().getParent();
        List<Path> sources = request.sources();
        for (Path source : sources) {
            if (!Files.isRegularFile(source)) {
                throw new IllegalArgumentException("not a C or C++ source file: " + source);
            }
        }
        List<Unit> units = new ArrayList<>();
        for (int i = 0; i < sources.size(); i++) {
            units.add(new Unit(sources.get(i), work.resolve("unit" + i + ".bc"), work.resolve("unit" + i + ".d")));
        }
        StringBuilder diagnostics = new StringBuilder();
        List<String> failures = new ArrayList<>();
        int threads = Math.max(1, Math.min(units.size(), Runtime.getRuntime().availableProcessors()));
        try (ExecutorService executor = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory())) {
            List<Future<Processes.Result>> results = new ArrayList<>();
            for (Unit unit : units) {
                results.add(executor.submit(() -> Processes.run(ID, unitCommand(llvm, request, unit), llvm.environment(),
                        null, work, deadline)));
            }
            for (int i = 0; i < units.size(); i++) {
                Processes.Result result = await(results.get(i));
                diagnostics.append(result.err());
                if (!result.succeeded()) {
                    failures.add(units.get(i).source() + " (exit status " + result.exitCode() + ")");
                }
            }
        }
        if (!failures.isEmpty()) {
            throw new CompilationFailedException(ID, "clang failed to compile " + String.join(", ", failures),
                    diagnostics.toString());
        }
        Path bitcode = units.getFirst().bitcode();
        if (units.size() > 1) {
            bitcode = work.resolve("linked.bc");
            List<String> link = new ArrayList<>(List.of(llvm.program("llvm-link").toString(), "-o", bitcode.toString()));
            units.forEach(unit -> link.add(unit.bitcode().toString()));
            Processes.Result linked = Processes.run(ID, link, llvm.environment(), null, work, deadline);
            diagnostics.append(linked.err());
            if (!linked.succeeded()) {
                throw new CompilationFailedException(ID, "llvm-link failed to link " + sources.size()
                        + " translation units into one plugin (exit status " + linked.exitCode() + ")", linked.err());
            }
        }
        if (request.output().orElse(OutputKind.BITCODE) == OutputKind.OBJECT) {
            List<String> codegen = List.of(llvm.program("clang").toString(), "-c", "-fPIC",
                    "-O" + request.optimizationLevel(), bitcode.toString(), "-o", output.toString());
            Processes.Result generated = Processes.run(ID, codegen, llvm.environment(), null, work, deadline);
            diagnostics.append(generated.err());
            if (!generated.succeeded()) {
                throw new CompilationFailedException(ID, "clang failed to generate an object (exit status "
                        + generated.exitCode() + ")", generated.err());
            }
        } else {
            try {
                Files.move(bitcode, output);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Set<Path> inputs = new LinkedHashSet<>();
        for (Unit unit : units) {
            inputs.add(unit.source().toAbsolutePath().normalize());
            inputs.addAll(DepFiles.prerequisites(unit.dependencies(), Path.of("").toAbsolutePath()));
        }
        return new CompilerResult(List.copyOf(inputs), diagnostics.toString());
    }

    private static List<String> unitCommand(LlvmPrograms llvm, CompileRequest request, Unit unit) {
        List<String> command = new ArrayList<>();
        command.add(llvm.program("clang").toString());
        command.addAll(List.of("-c", "-emit-llvm", "-fPIC", "-O" + request.optimizationLevel()));
        if (request.optimizationLevel() == 0) {
            // Without this, -O0 marks every function optnone and the JIT could not optimise them either.
            command.addAll(List.of("-Xclang", "-disable-O0-optnone"));
        }
        // A smashed stack or an overflowing fortified copy then ends the call with an ABORT fault, before the
        // damage reaches a return address: the runtime serves __stack_chk_fail and the __*_chk checks.
        command.add("-fstack-protector-strong");
        if (request.optimizationLevel() > 0 && !request.defines().containsKey("_FORTIFY_SOURCE")) {
            command.add("-D_FORTIFY_SOURCE=2"); // glibc's headers honour it only when optimising
        }
        if (isCxx(unit.source())) {
            // Exceptions need an unwinder and RTTI a C++ runtime that a JIT-loaded plugin does not have.
            command.addAll(List.of("-fno-exceptions", "-fno-rtti", "-fno-threadsafe-statics"));
        }
        command.addAll(List.of("-MD", "-MF", unit.dependencies().toString()));
        for (Path directory : request.includeDirectories()) {
            command.add("-I" + directory);
        }
        request.defines().forEach((name, value) -> command.add(value.isEmpty() ? "-D" + name : "-D" + name + "=" + value));
        command.addAll(request.compilerArguments());
        command.addAll(List.of("-o", unit.bitcode().toString(), unit.source().toString()));
        return command;
    }

    private static boolean isCxx(Path source) {
        String name = source.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && CXX.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    private static Processes.Result await(Future<Processes.Result> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompilationFailedException(ID, "interrupted while compiling", "");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private record Unit(Path source, Path bitcode, Path dependencies) {
    }

    @Override
    public String toString() {
        return "PluginCompiler[c: bundled clang]";
    }
}
