package io.predicator.orc.internal.pipeline;

import io.predicator.Signature;
import io.predicator.orc.internal.llvm.Llvm;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link CheckStage} learnt of a parsed module besides its refusals: plain data, so that a compile worker
 * in another process could return it with the object code.
 *
 * @param signatures the LLVM signature of every function the module defines and exports, by name
 * @param inlineAssembly a description of the first inline assembly, or null if there is none
 * @param instructions for each function in module order, its number of instructions (-1 for a declaration): the
 *                     measure of compile cost that {@link ModuleSplitter} balances partitions by
 */
public record ModuleFacts(Map<String, Signature> signatures, String inlineAssembly, int[] instructions) {
    /** Copies the signatures. */
    public ModuleFacts {
        signatures = Map.copyOf(signatures);
    }

    /** Returns the signatures of the functions a module defines with external linkage. */
    static Map<String, Signature> signatures(LLVMModuleRef module) {
        Map<String, Signature> signatures = new HashMap<>();
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                continue;
            }
            int linkage = LLVM.LLVMGetLinkage(function);
            if (linkage == LLVM.LLVMInternalLinkage || linkage == LLVM.LLVMPrivateLinkage) {
                continue;
            }
            signatures.put(Llvm.name(function), signature(LLVM.LLVMGlobalGetValueType(function)));
        }
        return signatures;
    }

    private static Signature signature(LLVMTypeRef functionType) {
        int count = LLVM.LLVMCountParamTypes(functionType);
        List<String> parameters = new ArrayList<>(count);
        if (count > 0) {
            try (PointerPointer<LLVMTypeRef> types = new PointerPointer<>(count)) {
                LLVM.LLVMGetParamTypes(functionType, types);
                for (int i = 0; i < count; i++) {
                    parameters.add(typeName(types.get(LLVMTypeRef.class, i)));
                }
            }
        }
        return new Signature(typeName(LLVM.LLVMGetReturnType(functionType)), parameters,
                LLVM.LLVMIsFunctionVarArg(functionType) != 0);
    }

    private static String typeName(LLVMTypeRef type) {
        return switch (LLVM.LLVMGetTypeKind(type)) {
            case LLVM.LLVMVoidTypeKind -> "void";
            case LLVM.LLVMFloatTypeKind -> "float";
            case LLVM.LLVMDoubleTypeKind -> "double";
            case LLVM.LLVMIntegerTypeKind -> "i" + LLVM.LLVMGetIntTypeWidth(type);
            case LLVM.LLVMPointerTypeKind -> LLVM.LLVMGetPointerAddressSpace(type) == 0
                    ? "ptr" : Llvm.takeMessage(LLVM.LLVMPrintTypeToString(type));
            default -> Llvm.takeMessage(LLVM.LLVMPrintTypeToString(type));
        };
    }
}
