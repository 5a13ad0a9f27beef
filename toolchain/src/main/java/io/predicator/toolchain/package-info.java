/**
 * Creates plugins from source: compiles C, C++ and Rust into LLVM bitcode or ELF objects that
 * {@link io.predicator.JitContext} loads, caching results by content hash.
 *
 * @since 0.1
 */
package io.predicator.toolchain;
