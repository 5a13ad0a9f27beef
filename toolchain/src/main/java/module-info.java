/**
 * C, C++ and Rust sources to plugins: the clang bundled with the backend's LLVM, and cargo.
 */
module io.predicator.toolchain {
    requires transitive io.predicator;
    requires io.predicator.orc;

    exports io.predicator.toolchain;
    exports io.predicator.toolchain.spi;

    uses io.predicator.toolchain.spi.PluginCompiler;
    provides io.predicator.toolchain.spi.PluginCompiler with
            io.predicator.toolchain.internal.ClangCompiler,
            io.predicator.toolchain.internal.RustCompiler;
}
