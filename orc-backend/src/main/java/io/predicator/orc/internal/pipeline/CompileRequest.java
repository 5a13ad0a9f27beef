package io.predicator.orc.internal.pipeline;

/**
 * What a load or an inspection asks of the pipeline, taken from its options in one place
 * ({@code OrcJitContext.request}).
 *
 * @param level the optimisation level, 0 to 3: the IR pipeline {@code default<On>} and the code generator's level
 * @param optimizeIr false for a module that was optimised when it was built: code generation only
 * @param allowInlineAssembly false to refuse modules with inline assembly before generating any code
 * @param untrustedBitcode true to read bitcode in a separate process first ({@link BitcodeSandbox})
 * @param compileOnFirstUse true to compile an IR module's functions when they are first looked up
 */
public record CompileRequest(int level, boolean optimizeIr, boolean allowInlineAssembly, boolean untrustedBitcode,
                             boolean compileOnFirstUse) {
}
