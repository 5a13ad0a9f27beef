package io.predicator;

/**
 * The formats a plugin can arrive in.
 *
 * @since 0.1
 */
public enum ModuleFormat {
    /** LLVM IR in its textual form ({@code .ll}). */
    IR_TEXT,
    /** LLVM bitcode ({@code .bc}), plain or with the wrapper header. */
    BITCODE,
    /** An ELF relocatable object ({@code .o}) for the host architecture. */
    OBJECT,
    /** A static archive ({@code .a}) of ELF relocatable objects. */
    ARCHIVE;

    /**
     * Returns whether modules of this format carry LLVM types, so that signatures can be checked.
     *
     * @return true for IR text and bitcode
     */
    public boolean carriesTypes() {
        return this == IR_TEXT || this == BITCODE;
    }
}
