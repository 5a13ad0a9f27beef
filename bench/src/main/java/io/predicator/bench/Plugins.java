package io.predicator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The benchmarks' plugins, each built from C by the bundled clang on first use and cached in the work directory.
 */
final class Plugins {
    /** Generic x86-64, as a distribution's ahead-of-time build targets (clang's default, spelled out). */
    private static final List<String> GENERIC_X86_64 = List.of("-march=x86-64", "-mtune=generic");

    /** Flags for the large plugin: no threads (no mutexes, no TLS), no dynamic extensions, nothing deprecated. */
    static final List<String> SQLITE_FLAGS = List.of("-DSQLITE_THREADSAFE=0", "-DSQLITE_OMIT_LOAD_EXTENSION",
            "-DSQLITE_DEFAULT_MEMSTATUS=0", "-DSQLITE_OMIT_DEPRECATED", "-DSQLITE_DQS=0");

    private Plugins() {
    }

    /** The small plugin (small.c, ~30 lines) as bitcode at -O2: what an author ships for the JIT. */
    static byte[] smallBitcode() {
        return read(bitcode("small", "small.c", List.of("-O2")));
    }

    /** The trivial {@code int add(int, int)} as bitcode. */
    static byte[] trivialBitcode() {
        return read(bitcode("trivial", "trivial.c", List.of("-O2")));
    }

    /**
     * The compute kernels as bitcode.
     *
     * @param deferVectorisation false: plain {@code -O2}, already vectorised for generic x86-64 by clang;
     *                           true: {@code -O2 -flto=thin}, optimised but with vectorisation left to the JIT
     */
    static byte[] computeBitcode(boolean deferVectorisation) {
        return deferVectorisation
                ? read(Clang.compile("compute-thinlto", "bc", List.of(Clang.source("compute.c")),
                        List.of("-O2", "-flto=thin", "-c")))
                : read(bitcode("compute", "compute.c", List.of("-O2")));
    }

    /** The compute kernels as a shared library for generic x86-64, the ahead-of-time baseline. */
    static Path computeSharedLibrary() {
        // -nostdlib with lld: no C runtime files needed; the kernels call nothing.
        return Clang.compile("compute", "so", List.of(Clang.source("compute.c")),
                concat(List.of("-O2", "-shared", "-fPIC", "-nostdlib", "-fuse-ld=lld"), GENERIC_X86_64));
    }

    /** The compute kernels as a WebAssembly module for Chicory, with 1 MiB input and output buffers. */
    static byte[] computeWasm() {
        return read(Clang.compile("compute", "wasm", List.of(Clang.source("compute.c"), Clang.source("wasm_buffers.c")),
                List.of("--target=wasm32", "-O2", "-nostdlib", "-Wl,--no-entry", "-Wl,--export-all")));
    }

    /**
     * The large plugin: the SQLite amalgamation as bitcode at -O2, about 2.7 MB.
     *
     * @throws IllegalStateException if {@code examples/sqlite/fetch.sh} cannot fetch its source here
     */
    static byte[] largeBitcode() {
        Path source = Workspace.largePluginSource().orElseThrow(() -> new IllegalStateException("The large "
                + "plugin's source cannot be fetched here: examples/sqlite/fetch.sh needs npm and the npm registry"));
        return read(Clang.compile("sqlite3", "bc", List.of(source),
                concat(List.of("-O2", "-c", "-emit-llvm"), SQLITE_FLAGS)));
    }

    /** Returns whether the large plugin's source has been fetched. */
    static boolean largePluginAvailable() {
        return Workspace.largePluginSource().isPresent();
    }

    private static Path bitcode(String name, String source, List<String> flags) {
        return Clang.compile(name, "bc", List.of(Clang.source(source)), concat(flags, List.of("-c", "-emit-llvm")));
    }

    private static List<String> concat(List<String> first, List<String> second) {
        return java.util.stream.Stream.concat(first.stream(), second.stream()).toList();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
