package io.predicator.orc.internal.pipeline;

import io.predicator.CompilationException;
import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.orc.internal.llvm.NativeScope;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMPassBuilderOptionsRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

/**
 * Stage "optimise": points a checked module at the host (triple, data layout, CPU and features) and, unless the
 * module was optimised when it was built, runs LLVM's {@code default<On>} pipeline on it, in place.
 *
 * <p>An instrumentation stage (such as {@code place-safepoints}) belongs right after this one, before
 * {@link EmitStage}.
 */
public final class OptimizeStage {
    /** Creates the stage; it has no state. */
    public OptimizeStage() {
    }

    /**
     * Retargets and optimises a module.
     *
     * @param parsed the checked module; changed in place
     * @param machine a target machine for the request's level, used by this thread only
     * @param request the optimisation level and whether to optimise the IR at all
     * @return the same module
     */
    public ParsedModule apply(ParsedModule parsed, LLVMTargetMachineRef machine, CompileRequest request) {
        retarget(parsed.name(), parsed.context(), parsed.module(), machine);
        if (request.optimizeIr()) {
            optimize(parsed.name(), parsed.module(), machine, request.level());
        }
        return parsed;
    }

    /**
     * Points the module and its functions at the host: triple, data layout, CPU and features. Functions keep any
     * features they asked for explicitly (they come after the host's, so they win); a module compiled for a
     * generic CPU is vectorised for this one.
     */
    private static void retarget(String sourceName, LLVMContextRef context, LLVMModuleRef module,
                                 LLVMTargetMachineRef machine) {
        LLVM.LLVMSetTarget(module, Llvm.hostTriple());
        try (NativeScope scope = new NativeScope()) {
            LLVMTargetDataRef layout = scope.dataLayout(machine);
            LLVM.LLVMSetModuleDataLayout(module, layout);
            CheckStage.sizes(sourceName, module, layout);
        }
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                continue;
            }
            String features = Llvm.hostFeatures();
            String own = stringAttribute(function, "target-features");
            if (!own.isEmpty()) {
                features = features + "," + own;
            }
            setStringAttribute(context, function, "target-cpu", Llvm.hostCpu());
            setStringAttribute(context, function, "target-features", features);
            LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, "tune-cpu", "tune-cpu".length());
        }
    }

    private static String stringAttribute(LLVMValueRef function, String key) {
        var attribute = LLVM.LLVMGetStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, key, key.length());
        if (attribute == null || attribute.isNull()) {
            return "";
        }
        try (IntPointer length = new IntPointer(1)) {
            BytePointer value = LLVM.LLVMGetStringAttributeValue(attribute, length);
            return value == null || value.isNull() ? "" : value.capacity(length.get()).getString();
        }
    }

    private static void setStringAttribute(LLVMContextRef context, LLVMValueRef function, String key, String value) {
        LLVM.LLVMRemoveStringAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex, key, key.length());
        LLVM.LLVMAddAttributeAtIndex(function, LLVM.LLVMAttributeFunctionIndex,
                LLVM.LLVMCreateStringAttribute(context, key, key.length(), value, value.length()));
    }

    private static void optimize(String sourceName, LLVMModuleRef module, LLVMTargetMachineRef machine, int level) {
        try (NativeScope scope = new NativeScope()) {
            LLVMPassBuilderOptionsRef options = scope.passBuilderOptions();
            Llvm.check(LLVM.LLVMRunPasses(module, "default<O" + level + ">", machine, options),
                    message -> new CompilationException("Optimising plugin '" + sourceName + "' failed: " + message));
        }
        EmitStage.failOnDiagnostics(sourceName, "Optimising");
    }
}
