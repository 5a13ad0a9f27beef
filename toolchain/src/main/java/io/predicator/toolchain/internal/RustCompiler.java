package io.predicator.toolchain.internal;

import io.predicator.orc.programs.LlvmPrograms;
import io.predicator.toolchain.CompilationFailedException;
import io.predicator.toolchain.CompileRequest;
import io.predicator.toolchain.OutputKind;
import io.predicator.toolchain.ToolNotFoundException;
import io.predicator.toolchain.spi.CompilerResult;
import io.predicator.toolchain.spi.PluginCompiler;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds {@code #![no_std]} Rust plugins with the {@code cargo} and {@code rustc} on the {@code PATH} (or in
 * {@code ~/.cargo/bin}); id {@code rust}.
 *
 * <p>A Cargo project is built with {@code cargo rustc --release --crate-type staticlib}, its release profile
 * overridden to {@code panic = "abort"}, fat LTO and one codegen unit, into {@code target/predicator} of the project;
 * a single {@code .rs} file is built the same way by {@code rustc}. Fat LTO folds {@code core} and every dependency
 * into one object; the bundled {@code ld.lld -r} then adds the members of {@code compiler_builtins} that the object
 * needs (128-bit division, soft floats), so the result is one self-contained ELF object whose only undefined symbols
 * are the host's and the memory routines ({@code memset}, {@code memcpy}).
 *
 * <p>rustc's LLVM is usually newer than Predicator's, and LLVM promises only that newer readers accept older
 * bitcode: bitcode is produced only when asked for and only when {@code rustc -vV} reports an LLVM no newer than
 * the JIT's.
 */
public final class RustCompiler implements PluginCompiler {
    /** The compiler's id. */
    public static final String ID = "rust";

    private static final String FLAGS_VERSION = "rust-flags-1";
    private static final Pattern LLVM_VERSION = Pattern.compile("(?m)^LLVM version: (\\d+)(\\.[\\d.]+)?");
    private static final Pattern FILENAMES = Pattern.compile("\"filenames\":\\[([^\\]]*)]");
    private static final Pattern JSON_STRING = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"");

    private volatile Toolset toolset;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Set<String> extensions() {
        return Set.of("rs");
    }

    /** Supports {@code .rs} files, {@code Cargo.toml} files and directories that hold one. */
    @Override
    public boolean supports(Path source) {
        if (Files.isDirectory(source)) {
            return Files.isRegularFile(source.resolve("Cargo.toml"));
        }
        Path name = source.getFileName();
        return name != null && (name.toString().equals("Cargo.toml")
                || name.toString().toLowerCase(Locale.ROOT).endsWith(".rs"));
    }

    @Override
    public String version() {
        Toolset tools = toolset();
        return tools.description() + ", " + FLAGS_VERSION;
    }

    /** Returns the major version of the LLVM that rustc uses, such as 22. */
    public int llvmMajorVersion() {
        return toolset().llvmMajor();
    }

    @Override
    public CompilerResult compile(CompileRequest request, Path output, Duration timeout) {
        if (request.sources().size() != 1) {
            throw new IllegalArgumentException("a Rust plugin is one crate: pass its Cargo project directory or its "
                    + "root .rs file, not " + request.sources().size() + " sources");
        }
        if (!request.includeDirectories().isEmpty()) {
            throw new IllegalArgumentException("include directories apply to C and C++ only, not to Rust");
        }
        Toolset tools = toolset();
        Path source = request.sources().getFirst().toAbsolutePath().normalize();
        if (source.getFileName() != null && source.getFileName().toString().equals("Cargo.toml")) {
            source = source.getParent();
        }
        OutputKind kind = request.output().orElse(OutputKind.OBJECT);
        LlvmPrograms llvm = BundledLlvm.get();
        if (kind == OutputKind.BITCODE && tools.llvmMajor() > llvm.majorVersion()) {
            throw new CompilationFailedException(ID, tools.rustc() + " uses LLVM " + tools.llvmMajor()
                    + ", newer than Predicator's LLVM " + llvm.version() + ": its bitcode may not load. Build an "
                    + "object instead (the default for Rust), or use a Rust toolchain whose LLVM is " + llvm.majorVersion()
                    + " or older", "");
        }
        long deadline = Processes.deadline(timeout);
        Path work = output.toAbsolutePath().getParent();
        Path crate = work.resolve(kind == OutputKind.BITCODE ? "crate.bc" : "crate.o");
        String emit = (kind == OutputKind.BITCODE ? "--emit=llvm-bc=" : "--emit=obj=") + crate;
        Built built = Files.isDirectory(source)
                ? cargo(tools, request, source, emit, work, deadline)
                : rustc(tools, request, source, emit, work, deadline);
        String diagnostics = built.diagnostics();
        if (kind == OutputKind.BITCODE) {
            move(crate, output);
        } else {
            List<String> link = new ArrayList<>(List.of(llvm.program("ld.lld").toString(), "-r", "-o", output.toString(),
                    crate.toString()));
            link.add(built.staticLibrary().toString());
            Processes.Result linked = Processes.run(ID, link, llvm.environment(), null, work, deadline);
            if (!linked.succeeded()) {
                throw new CompilationFailedException(ID, "ld.lld failed to add compiler_builtins to the plugin's "
                        + "object (exit status " + linked.exitCode() + ")", linked.err());
            }
            diagnostics += linked.err();
        }
        return new CompilerResult(built.inputs(), diagnostics);
    }

    private record Built(Path staticLibrary, List<Path> inputs, String diagnostics) {
    }

    private Built cargo(Toolset tools, CompileRequest request, Path project, String emit, Path work, long deadline) {
        Path targetDirectory = project.resolve("target").resolve("predicator");
        List<String> command = new ArrayList<>(List.of(tools.cargo().toString(), "rustc", "--release", "--lib",
                "--crate-type", "staticlib", "--target-dir", targetDirectory.toString(),
                "--message-format=json-render-diagnostics", "--color", "never", "--quiet", "--", emit));
        command.addAll(cfgArguments(request));
        command.addAll(request.compilerArguments());
        Map<String, String> environment = new HashMap<>();
        environment.put("CARGO_PROFILE_RELEASE_PANIC", "abort");
        environment.put("CARGO_PROFILE_RELEASE_LTO", "fat");
        environment.put("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1");
        environment.put("CARGO_PROFILE_RELEASE_OPT_LEVEL", Integer.toString(request.optimizationLevel()));
        environment.put("CARGO_PROFILE_RELEASE_DEBUG", "false");
        environment.put("CARGO_PROFILE_RELEASE_INCREMENTAL", "false");
        environment.put("CARGO_TERM_COLOR", "never");
        environment.put("RUSTC", tools.rustc().toString());
        Processes.Result result = Processes.run(ID, command, environment, project, work, deadline);
        if (!result.succeeded()) {
            throw new CompilationFailedException(ID, "cargo failed to build " + project + " (exit status "
                    + result.exitCode() + ")", result.err());
        }
        Path library = staticLibrary(result.out()).orElseThrow(() -> new CompilationFailedException(ID,
                "cargo built " + project + " but reported no static library; is it a library crate?", result.err()));
        Set<Path> inputs = new LinkedHashSet<>();
        for (String name : List.of("Cargo.toml", "Cargo.lock")) {
            inputs.add(project.resolve(name));
        }
        Path depInfo = library.resolveSibling(library.getFileName().toString().replaceFirst("\\.a$", ".d"));
        if (Files.isRegularFile(depInfo)) {
            inputs.addAll(DepFiles.prerequisites(depInfo, project));
        } else {
            inputs.addAll(projectFiles(project));
        }
        return new Built(library, List.copyOf(inputs), result.err());
    }

    private Built rustc(Toolset tools, CompileRequest request, Path file, String emit, Path work, long deadline) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("not a Rust source file or Cargo project: " + file);
        }
        Path library = work.resolve("libplugin.a");
        Path depInfo = work.resolve("crate.d");
        List<String> command = new ArrayList<>(List.of(tools.rustc().toString(), "--crate-type=staticlib",
                "--crate-name=" + crateName(file), "-C", "panic=abort", "-C", "lto=fat", "-C", "codegen-units=1",
                "-C", "opt-level=" + request.optimizationLevel(), "-C", "debuginfo=0", "--color=never",
                emit, "--emit=link=" + library, "--emit=dep-info=" + depInfo));
        if (request.compilerArguments().stream().noneMatch(argument -> argument.startsWith("--edition"))) {
            command.add("--edition=2021");
        }
        command.addAll(cfgArguments(request));
        command.addAll(request.compilerArguments());
        command.add(file.toString());
        Processes.Result result = Processes.run(ID, command, Map.of(), file.getParent(), work, deadline);
        if (!result.succeeded()) {
            throw new CompilationFailedException(ID, "rustc failed to compile " + file + " (exit status "
                    + result.exitCode() + ")", result.err());
        }
        Set<Path> inputs = new LinkedHashSet<>();
        inputs.add(file);
        if (Files.isRegularFile(depInfo)) {
            inputs.addAll(DepFiles.prerequisites(depInfo, file.getParent()));
        }
        inputs.removeIf(path -> path.startsWith(work));
        return new Built(library, List.copyOf(inputs), result.err());
    }

    private static List<String> cfgArguments(CompileRequest request) {
        List<String> arguments = new ArrayList<>();
        request.defines().forEach((name, value) -> {
            arguments.add("--cfg");
            arguments.add(value.isEmpty() ? name : name + "=\"" + value + "\"");
        });
        return arguments;
    }

    static Optional<Path> staticLibrary(String cargoJson) {
        Path found = null;
        for (String line : cargoJson.split("\n")) {
            if (!line.contains("\"reason\":\"compiler-artifact\"")) {
                continue;
            }
            Matcher filenames = FILENAMES.matcher(line);
            if (!filenames.find()) {
                continue;
            }
            Matcher string = JSON_STRING.matcher(filenames.group(1));
            while (string.find()) {
                String path = string.group(1).replace("\\\\", "\u0000").replace("\\\"", "\"").replace("\\/", "/")
                        .replace("\u0000", "\\");
                if (path.endsWith(".a")) {
                    found = Path.of(path);
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private static List<Path> projectFiles(Path project) {
        try (var files = Files.walk(project)) {
            return files.filter(Files::isRegularFile)
                    .filter(path -> {
                        Path relative = project.relativize(path);
                        String first = relative.getName(0).toString();
                        return !first.equals("target") && !first.startsWith(".");
                    })
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + project + ": " + e.getMessage(), e);
        }
    }

    private static String crateName(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.rs$", "").replaceAll("[^A-Za-z0-9_]", "_");
        return name.isEmpty() || Character.isDigit(name.charAt(0)) ? "plugin_" + name : name;
    }

    private static void move(Path from, Path to) {
        try {
            Files.move(from, to);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Toolset toolset() {
        Toolset tools = toolset;
        if (tools == null) {
            tools = Toolset.detect();
            toolset = tools;
        }
        return tools;
    }

    /** The cargo and rustc found, with their versions. */
    private record Toolset(Path cargo, Path rustc, String description, int llvmMajor) {
        static Toolset detect() {
            Path cargo = find("cargo");
            Path rustc = find("rustc");
            String rustcVersion = versionOf(rustc, "-vV");
            String cargoVersion = versionOf(cargo, "-V");
            Matcher llvm = LLVM_VERSION.matcher(rustcVersion);
            if (!llvm.find()) {
                throw new ToolNotFoundException("rustc", rustc + " -vV does not report its LLVM version:\n" + rustcVersion);
            }
            String description = cargoVersion.strip() + "; " + rustcVersion.strip().replace('\n', ' ');
            return new Toolset(cargo, rustc, description, Integer.parseInt(llvm.group(1)));
        }

        private static Path find(String program) {
            List<Path> candidates = new ArrayList<>();
            String path = System.getenv("PATH");
            if (path != null) {
                for (String directory : path.split(java.io.File.pathSeparator)) {
                    if (!directory.isBlank()) {
                        candidates.add(Path.of(directory, program));
                    }
                }
            }
            String home = System.getProperty("user.home");
            if (home != null) {
                candidates.add(Path.of(home, ".cargo", "bin", program));
            }
            return candidates.stream()
                    .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                    .findFirst()
                    .orElseThrow(() -> new ToolNotFoundException(program, program + " is not installed (looked on the "
                            + "PATH and in ~/.cargo/bin): Rust plugins need cargo and rustc; install Rust with rustup"));
        }

        private static String versionOf(Path program, String flag) {
            try {
                Process process = new ProcessBuilder(program.toString(), flag).redirectErrorStream(true).start();
                String text = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    throw new ToolNotFoundException(program.getFileName().toString(), program + " " + flag
                            + " failed: " + text.strip());
                }
                return text;
            } catch (IOException e) {
                throw new ToolNotFoundException(program.getFileName().toString(), "cannot run " + program + ": "
                        + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ToolNotFoundException(program.getFileName().toString(), "interrupted while asking " + program
                        + " for its version");
            }
        }
    }

    @Override
    public String toString() {
        return "PluginCompiler[rust: cargo]";
    }
}
