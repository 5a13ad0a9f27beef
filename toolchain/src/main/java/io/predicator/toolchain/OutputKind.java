package io.predicator.toolchain;

/**
 * What a compilation produces, when the caller wants a particular kind rather than the compiler's choice.
 *
 * @since 0.1
 */
public enum OutputKind {
    /**
     * LLVM bitcode: the JIT optimises it for the host CPU and checks call signatures against it. Only a compiler
     * whose LLVM is not newer than Predicator's can produce bitcode that is certain to load.
     */
    BITCODE,
    /** An ELF relocatable object for the host: machine code already, carrying no types. */
    OBJECT
}
