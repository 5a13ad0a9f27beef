package io.predicator.orc.internal.pipeline;

import java.time.Duration;

/**
 * What a load or an inspection asks of the pipeline, taken from its options in one place
 * ({@code OrcJitContext.request}).
 *
 * @param level the optimisation level, 0 to 3: the IR pipeline {@code default<On>} and the code generator's level
 * @param optimizeIr false for a module that was optimised when it was built: code generation only
 * @param allowInlineAssembly false to refuse modules with inline assembly before generating any code
 * @param untrusted true to compile IR and bitcode in a compile worker ({@link WorkerStage}), and to have a worker
 *        check a module that compiles on first use before this JVM parses it
 * @param compileOnFirstUse true to compile an IR module's functions when they are first looked up
 * @param compileTimeout how long compiling the module may take
 */
public record CompileRequest(int level, boolean optimizeIr, boolean allowInlineAssembly, boolean untrusted,
                             boolean compileOnFirstUse, Duration compileTimeout) {
}
