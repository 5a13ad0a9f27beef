package io.predicator.bench;

import org.bytedeco.javacpp.Loader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the clang bundled with bytedeco's LLVM to build the benchmarks' plugins, and keeps every output in the
 * work directory under a name derived from its inputs, so each is compiled once per checkout and forks reuse it.
 *
 * <p>A private helper of the benchmarks, deliberately independent of the {@code toolchain} module (which wraps
 * the same clang for users); the two can be merged once that module's API settles.
 */
final class Clang {
    private static final Object LOCK = new Object();
    private static volatile Path executable;
    private static volatile Path libraryLinks;

    private Clang() {
    }

    /**
     * Compiles C sources with clang and returns the output, reusing an earlier output of the same inputs.
     *
     * @param outputName a readable prefix for the output file
     * @param extension the output's extension, such as {@code bc}
     * @param sources C files
     * @param flags clang flags (output kind, target, optimisation)
     * @return the output file
     */
    static Path compile(String outputName, String extension, List<Path> sources, List<String> flags) {
        synchronized (LOCK) {
            Path output = Workspace.directory("plugins").resolve(outputName + "-" + key(sources, flags) + "." + extension);
            if (Files.isRegularFile(output)) {
                return output;
            }
            Path temporary = output.resolveSibling(output.getFileName() + ".tmp");
            List<String> command = new ArrayList<>();
            command.add(executable().toString());
            command.addAll(flags);
            command.add("-o");
            command.add(temporary.toString());
            sources.forEach(source -> command.add(source.toString()));
            run(command, "compiling " + outputName);
            try {
                Files.move(temporary, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return output;
        }
    }

    /**
     * Copies a C source of the benchmarks from the class path into the work directory, so clang can read it.
     *
     * @param name the file name under {@code src/main/c}
     * @return the copy
     */
    static Path source(String name) {
        synchronized (LOCK) {
            try (InputStream in = Clang.class.getResourceAsStream("c/" + name)) {
                if (in == null) {
                    throw new IllegalStateException("No C source " + name + " on the class path (bench/src/main/c)");
                }
                byte[] content = in.readAllBytes();
                Path copy = Workspace.directory("c").resolve(name);
                if (!Files.exists(copy) || !java.util.Arrays.equals(Files.readAllBytes(copy), content)) {
                    Files.write(copy, content);
                }
                return copy;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Returns the version line of the bundled clang. */
    static String version() {
        return run(List.of(executable().toString(), "--version"), "asking clang its version").lines().findFirst()
                .orElse("unknown");
    }

    private static Path executable() {
        Path clang = executable;
        if (clang == null) {
            // Extracts the natives once (cached in ~/.javacpp/cache) and returns the path of clang.
            clang = Path.of(Loader.load(org.bytedeco.llvm.program.clang.class));
            Path links = Workspace.directory("clang-lib");
            // The extracted clang needs its libraries under their versioned names: link them.
            link(links.resolve("libclang-cpp.so.20.1"), clang.resolveSibling("libclang-cpp.so"));
            link(links.resolve("libLLVM.so.20.1"), clang.resolveSibling("libLLVM.so"));
            // clang runs the linkers next to it (ld.lld, wasm-ld), which only clang got the execute bit for.
            for (String tool : List.of("lld", "ld.lld", "wasm-ld")) {
                clang.resolveSibling(tool).toFile().setExecutable(true);
            }
            libraryLinks = links;
            executable = clang;
        }
        return clang;
    }

    private static void link(Path link, Path target) {
        try {
            if (Files.isSymbolicLink(link) && Files.readSymbolicLink(link).equals(target)) {
                return;
            }
            Files.deleteIfExists(link);
            Files.createSymbolicLink(link, target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot link " + link + " to " + target, e);
        }
    }

    private static String run(List<String> command, String what) {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        String path = builder.environment().getOrDefault("LD_LIBRARY_PATH", "");
        builder.environment().put("LD_LIBRARY_PATH", libraryLinks + (path.isEmpty() ? "" : ":" + path));
        try {
            Process process = builder.start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(30, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException("clang timed out " + what);
            }
            String text = new String(output, StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IllegalStateException("clang failed " + what + " (exit " + process.exitValue() + "): "
                        + String.join(" ", command) + "\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command.getFirst(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + what, e);
        }
    }

    private static String key(List<Path> sources, List<String> flags) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(String.join("\0", flags).getBytes(StandardCharsets.UTF_8));
            for (Path source : sources) {
                digest.update((byte) 0);
                digest.update(Files.readAllBytes(source));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
