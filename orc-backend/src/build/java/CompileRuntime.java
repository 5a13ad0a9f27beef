import io.predicator.orc.programs.LlvmPrograms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Build step of the backend: compiles the plugin runtime's C source into LLVM bitcode with the clang bundled in
 * {@code org.bytedeco:llvm}, the same LLVM as the JIT that loads it. Run by the build (see this module's pom) with
 * the module's class path, after its classes are compiled:
 *
 * <pre>{@code java -cp <class path> CompileRuntime.java <source.c> <output.bc>}</pre>
 *
 * The runtime is freestanding, so no C library headers are needed; the target is fixed because the backend ships
 * natives for Linux x86-64 only.
 */
public final class CompileRuntime {
    private CompileRuntime() {
    }

    public static void main(String[] arguments) throws Exception {
        if (arguments.length != 2) {
            System.err.println("usage: CompileRuntime <source.c> <output.bc>");
            System.exit(2);
        }
        Path source = Path.of(arguments[0]);
        Path output = Path.of(arguments[1]);
        if (Files.exists(output) && Files.getLastModifiedTime(output).compareTo(Files.getLastModifiedTime(source)) > 0) {
            return;
        }
        Files.createDirectories(output.getParent());
        LlvmPrograms llvm = LlvmPrograms.get();
        ProcessBuilder clang = new ProcessBuilder(List.of(llvm.program("clang").toString(),
                "--target=x86_64-unknown-linux-gnu", "-O2", "-c", "-emit-llvm",
                "-ffreestanding", "-nostdlibinc", "-fno-stack-protector", "-fno-exceptions",
                "-Wall", "-Wextra", "-Werror", "-o", output.toString(), source.toString()));
        clang.environment().putAll(llvm.environment());
        clang.inheritIO();
        int status = clang.start().waitFor();
        if (status != 0) {
            Files.deleteIfExists(output);
            System.err.println("clang failed with status " + status + " compiling " + source);
            System.exit(1);
        }
    }
}
