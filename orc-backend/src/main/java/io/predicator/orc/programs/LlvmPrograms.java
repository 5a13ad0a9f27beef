package io.predicator.orc.programs;

import io.predicator.ConfigurationException;
import org.bytedeco.javacpp.Loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

/**
 * The LLVM programs that ship inside {@code org.bytedeco:llvm} — {@code clang}, {@code llvm-link}, {@code ld.lld},
 * {@code llvm-dis} — the same LLVM version as the JIT, made runnable, for the toolchain module, which builds
 * plugins with them, and for tests. Not API.
 *
 * <p>JavaCPP extracts them with {@code libclang-cpp.so} and {@code libLLVM.so}, but the programs look for the
 * versioned names ({@code libclang-cpp.so.20.1}, {@code libLLVM.so.20.1}). A directory of symbolic links with those
 * names, next to the extracted files, on {@code LD_LIBRARY_PATH}, lets them start.
 */
public final class LlvmPrograms {
    private static volatile LlvmPrograms instance;

    private final Path bin;
    private final Path libraries;
    private final String version;

    private LlvmPrograms(Path bin, Path libraries, String version) {
        this.bin = bin;
        this.libraries = libraries;
        this.version = version;
    }

    /**
     * Returns the bundled programs, extracting them on first use (about a second, once per machine).
     *
     * @return the bundled LLVM
     * @throws ConfigurationException if the natives for this platform are missing
     */
    public static LlvmPrograms get() {
        LlvmPrograms llvm = instance;
        if (llvm == null) {
            synchronized (LlvmPrograms.class) {
                llvm = instance;
                if (llvm == null) {
                    llvm = locate();
                    instance = llvm;
                }
            }
        }
        return llvm;
    }

    /** Returns the LLVM version, such as {@code 20.1.7}. */
    public String version() {
        return version;
    }

    /** Returns the LLVM major version, such as 20. */
    public int majorVersion() {
        return Integer.parseInt(version.substring(0, version.indexOf('.')));
    }

    /** Returns the path of a bundled program, such as {@code clang} or {@code llvm-link}. */
    public Path program(String name) {
        return bin.resolve(name);
    }

    /** Returns the environment the programs need to start. */
    public Map<String, String> environment() {
        String existing = System.getenv("LD_LIBRARY_PATH");
        String path = libraries + ":" + bin + (existing == null || existing.isBlank() ? "" : ":" + existing);
        return Map.of("LD_LIBRARY_PATH", path);
    }

    private static LlvmPrograms locate() {
        String clang;
        try {
            clang = Loader.load(org.bytedeco.llvm.program.clang.class);
            // Marks llvm-link, llvm-ar and the other LLVM programs executable as well.
            Loader.load(org.bytedeco.llvm.program.llvm.class);
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new ConfigurationException("cannot extract the LLVM programs bundled with org.bytedeco:llvm for "
                    + Loader.getPlatform() + ": " + e.getMessage());
        }
        if (clang == null) {
            throw new ConfigurationException("org.bytedeco:llvm has no programs for " + Loader.getPlatform()
                    + ": put llvm-platform (or llvm with this platform's classifier) on the class path");
        }
        Path bin = Path.of(clang).toAbsolutePath().getParent();
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        org.bytedeco.llvm.global.LLVM.LLVMGetVersion(major, minor, patch);
        String version = major[0] + "." + minor[0] + "." + patch[0];
        Path libraries = linkVersionedLibraries(bin, major[0] + "." + minor[0]);
        return new LlvmPrograms(bin, libraries, version);
    }

    private static Path linkVersionedLibraries(Path bin, String soVersion) {
        Path libraries = bin.resolveSibling(bin.getFileName() + "-predicator-libs-" + soVersion);
        List<String> names = List.of("libclang-cpp.so", "libLLVM.so");
        if (names.stream().allMatch(name -> Files.exists(libraries.resolve(name + "." + soVersion)))) {
            return libraries;
        }
        try {
            Path temporary = Files.createTempDirectory(bin.getParent(), "predicator-libs");
            for (String name : names) {
                Files.createSymbolicLink(temporary.resolve(name + "." + soVersion), bin.resolve(name));
            }
            try {
                Files.move(temporary, libraries, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException raced) {
                deleteLinks(temporary, names, soVersion);
            } catch (IOException e) {
                if (!Files.isDirectory(libraries)) {
                    throw e;
                }
                deleteLinks(temporary, names, soVersion);
            }
            return libraries;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot link the libraries the bundled programs need in " + libraries
                    + ": " + e.getMessage(), e);
        }
    }

    /** Deletes this process's directory of links when another thread or process made the same one first. */
    private static void deleteLinks(Path directory, List<String> names, String soVersion) throws IOException {
        for (String name : names) {
            Files.deleteIfExists(directory.resolve(name + "." + soVersion));
        }
        Files.deleteIfExists(directory);
    }
}
