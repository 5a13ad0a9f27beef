package io.predicator.testkit;

/**
 * What a JIT backend supports; a {@link BackendContract} declares its backend's capabilities, and the checks of
 * undeclared ones are skipped (reported as aborted), not failed.
 *
 * @since 0.1
 */
public enum BackendCapability {
    /** Loads LLVM IR text ({@link io.predicator.ModuleFormat#IR_TEXT}); the other checks use it as their baseline. */
    FORMAT_IR_TEXT,
    /** Loads LLVM bitcode, plain and with the wrapper header ({@link io.predicator.ModuleFormat#BITCODE}). */
    FORMAT_BITCODE,
    /** Loads ELF relocatable objects for the host ({@link io.predicator.ModuleFormat#OBJECT}). */
    FORMAT_OBJECT,
    /** Loads {@code ar} archives of ELF objects ({@link io.predicator.ModuleFormat#ARCHIVE}). */
    FORMAT_ARCHIVE,
    /** Refuses to hand out a function of a typed format under a signature other than the declared one. */
    SIGNATURE_CHECKS
}
