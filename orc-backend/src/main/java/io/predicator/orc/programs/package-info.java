/**
 * The LLVM programs bundled with the backend's LLVM ({@code clang}, {@code llvm-dis} …), made runnable. Plumbing,
 * not API: exported only to the project's toolchain module, which builds plugins with them.
 */
package io.predicator.orc.programs;
