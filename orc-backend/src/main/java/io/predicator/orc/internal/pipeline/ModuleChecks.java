package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.UnsupportedModuleException;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.llvm.LLVM.LLVMAttributeRef;
import org.bytedeco.llvm.LLVM.LLVMBasicBlockRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.IntStream;

/**
 * Refuses, before any optimisation or code generation, the shapes of IR that LLVM itself cannot survive: found by
 * fuzzing and by hand (see PathologicalInputTests), each crashed the process, hung it, or exhausted its memory.
 *
 * <ul>
 *   <li>nesting deeper than {@link #MAX_NESTING} (brackets in IR text, or types): LLVM's parser and code generator
 *       recurse once per level and overflow the native stack of the loading thread;</li>
 *   <li>integers wider than {@link #MAX_INTEGER_BITS} in instructions: legalising them takes minutes and gigabytes;</li>
 *   <li>aggregates of {@link #MAX_AGGREGATE_ELEMENTS} or more elements used as values: instruction selection
 *       overflows a 16-bit operand count;</li>
 *   <li>alignment beyond a page: JITLink cannot honour it, and LLVM first emits that much padding;</li>
 *   <li>globals larger than a plugin may be ({@link ElfObject#MAX_SIZE}): their bytes would be generated first;</li>
 *   <li>appending linkage on arrays other than LLVM's own: the code generator ends the process;</li>
 *   <li>{@code inalloca} parameters and arguments (32-bit Windows' C++ ABI): the code generated for x86-64 at O0
 *       reads a wrong argument and corrupts the stack.</li>
 * </ul>
 *
 * <p>The same walk finds inline assembly for the load policy and counts each function's instructions. Only
 * {@link CheckStage} calls these checks: its list is the whole of what a load refuses.
 */
final class ModuleChecks {
    static final int MAX_NESTING = 256;
    static final int MAX_INTEGER_BITS = 4_096;
    static final long MAX_AGGREGATE_ELEMENTS = 16_384;
    static final long MAX_ALIGNMENT = 4_096;
    /** The arrays of appending linkage that LLVM's code generator knows (in section "llvm.metadata", any name). */
    private static final List<String> SPECIAL_APPENDING = List.of("llvm.used", "llvm.global_ctors",
            "llvm.global_dtors");

    private static final int INALLOCA = LLVM.LLVMGetEnumAttributeKindForName("inalloca", "inalloca".length());

    private final String sourceName;
    private final Map<Long, Integer> depths = new HashMap<>();

    private ModuleChecks(String sourceName) {
        this.sourceName = sourceName;
    }

    /**
     * Refuses IR text that nests brackets deeper than {@link #MAX_NESTING}, before LLVM's recursive parser sees it.
     * Quoted strings and comments are skipped.
     */
    static void checkTextNesting(String sourceName, byte[] text) {
        int depth = 0;
        int deepest = 0;
        boolean quoted = false;
        boolean comment = false;
        for (byte b : text) {
            if (comment) {
                comment = b != '\n';
            } else if (quoted) {
                quoted = b != '"';
            } else if (b == '"') {
                quoted = true;
            } else if (b == ';') {
                comment = true;
            } else if (b == '(' || b == '[' || b == '{' || b == '<') {
                deepest = Math.max(deepest, ++depth);
            } else if (b == ')' || b == ']' || b == '}' || b == '>') {
                depth = Math.max(0, depth - 1);
            }
        }
        if (deepest > MAX_NESTING) {
            throw new UnsupportedModuleException(sourceName, "its IR nests brackets " + deepest + " levels deep, more "
                    + "than the " + MAX_NESTING + " Predicator accepts: LLVM parses them recursively and would overflow "
                    + "the thread's stack");
        }
    }

    /**
     * What the walk learnt besides the refusals.
     *
     * @param inlineAssembly a description of the first inline assembly, or null if there is none
     * @param instructions for each function in module order, its number of instructions (-1 for a declaration): the
     *                     measure of its compile cost that {@link ModuleSplitter} balances partitions by
     */
    record Findings(String inlineAssembly, int[] instructions) {
    }

    /**
     * Walks the parsed module: refuses what LLVM cannot compile safely, finds inline assembly and counts
     * instructions.
     */
    static Findings check(String sourceName, LLVMModuleRef module) {
        return new ModuleChecks(sourceName).walk(module);
    }

    /** Refuses globals whose size the target data layout puts beyond what a plugin may have. */
    static void checkSizes(String sourceName, LLVMModuleRef module, LLVMTargetDataRef layout) {
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            if (LLVM.LLVMIsDeclaration(global) != 0) {
                continue;
            }
            long size = LLVM.LLVMABISizeOfType(layout, LLVM.LLVMGlobalGetValueType(global));
            if (size < 0 || size > ElfObject.MAX_SIZE) {
                throw new UnsupportedModuleException(sourceName, "global '" + label(global) + "' takes "
                        + Long.toUnsignedString(size) + " bytes, more than the " + ElfObject.MAX_SIZE
                        + " a plugin may have");
            }
        }
    }

    private Findings walk(LLVMModuleRef module) {
        IntStream.Builder instructions = IntStream.builder();
        String inlineAssembly = null;
        try (SizeTPointer length = new SizeTPointer(1)) {
            LLVM.LLVMGetModuleInlineAsm(module, length);
            if (length.get() > 0) {
                inlineAssembly = "module-level assembly";
            }
        }
        CodegenChecks codegen = CodegenChecks.of(sourceName);
        for (LLVMValueRef global = LLVM.LLVMGetFirstGlobal(module); Llvm.present(global);
             global = LLVM.LLVMGetNextGlobal(global)) {
            codegen.checkGlobal(global);
            checkAlignment(global);
            checkDepth(LLVM.LLVMGlobalGetValueType(global), "global '" + label(global) + "'");
            checkAppending(global);
        }
        for (LLVMValueRef function = LLVM.LLVMGetFirstFunction(module); Llvm.present(function);
             function = LLVM.LLVMGetNextFunction(function)) {
            codegen.checkFunction(function);
            String where = "function '" + label(function) + "'";
            checkDepth(LLVM.LLVMGlobalGetValueType(function), where);
            checkParameters(function, where);
            if (LLVM.LLVMIsDeclaration(function) != 0) {
                instructions.add(-1);
                continue;
            }
            checkAlignment(function);
            int count = 0;
            for (LLVMBasicBlockRef block = LLVM.LLVMGetFirstBasicBlock(function); Llvm.present(block);
                 block = LLVM.LLVMGetNextBasicBlock(block)) {
                for (LLVMValueRef instruction = LLVM.LLVMGetFirstInstruction(block); Llvm.present(instruction);
                     instruction = LLVM.LLVMGetNextInstruction(instruction)) {
                    count++;
                    checkValueType(LLVM.LLVMTypeOf(instruction), where);
                    codegen.checkType(LLVM.LLVMTypeOf(instruction), where);
                    if (isCall(instruction)) {
                        checkCallSite(instruction, where);
                        codegen.checkCall(instruction, where);
                        if (inlineAssembly == null
                                && Llvm.present(LLVM.LLVMIsAInlineAsm(LLVM.LLVMGetCalledValue(instruction)))) {
                            inlineAssembly = "in " + where;
                        }
                    }
                }
            }
            instructions.add(count);
        }
        for (LLVMValueRef alias = LLVM.LLVMGetFirstGlobalAlias(module); Llvm.present(alias);
             alias = LLVM.LLVMGetNextGlobalAlias(alias)) {
            codegen.checkGlobal(alias);
        }
        return new Findings(inlineAssembly, instructions.build().toArray());
    }

    /**
     * Refuses appending linkage outside LLVM's own arrays: the verifier accepts it on any array, but the code
     * generator ends the process ("unknown special variable with appending linkage") for any name but these.
     */
    private void checkAppending(LLVMValueRef global) {
        if (LLVM.LLVMGetLinkage(global) != LLVM.LLVMAppendingLinkage) {
            return;
        }
        String name = Llvm.name(global);
        BytePointer section = LLVM.LLVMGetSection(global);
        boolean metadata = Llvm.present(section) && section.getString().equals("llvm.metadata");
        if (!metadata && !SPECIAL_APPENDING.contains(name)) {
            throw new UnsupportedModuleException(sourceName, "global '" + label(global) + "' has appending linkage, "
                    + "which LLVM's code generator supports only for its own arrays (" + String.join(", ",
                    SPECIAL_APPENDING) + ", and any in section \"llvm.metadata\", which llvm.compiler.used needs) "
                    + "and would end the process on; give it ordinary linkage or that section");
        }
    }

    private void checkParameters(LLVMValueRef function, String where) {
        refuseInalloca(LLVM.LLVMCountParams(function),
                index -> LLVM.LLVMGetEnumAttributeAtIndex(function, index, INALLOCA), where + " takes");
    }

    /** Refuses an {@code inalloca} argument at a call, which an indirect call has without any function's saying. */
    private void checkCallSite(LLVMValueRef call, String where) {
        refuseInalloca(LLVM.LLVMGetNumArgOperands(call),
                index -> LLVM.LLVMGetCallSiteEnumAttribute(call, index, INALLOCA), where + " passes");
    }

    /**
     * Refuses {@code inalloca} on any of a function's or a call's arguments, given its attribute at each argument
     * index (1 to count).
     */
    private void refuseInalloca(int count, IntFunction<LLVMAttributeRef> attribute, String who) {
        for (int index = 1; index <= count; index++) {
            if (Llvm.present(attribute.apply(index))) {
                throw new UnsupportedModuleException(sourceName, who + " an inalloca argument, part of 32-bit "
                        + "Windows' C++ ABI; the code LLVM generates for it on " + Llvm.hostTriple()
                        + " corrupts the stack");
            }
        }
    }

    private void checkAlignment(LLVMValueRef value) {
        long alignment = Integer.toUnsignedLong(LLVM.LLVMGetAlignment(value));
        if (alignment > MAX_ALIGNMENT) {
            throw new UnsupportedModuleException(sourceName, "'" + label(value) + "' asks for " + alignment
                    + "-byte alignment; the JIT linker aligns to at most a page (" + MAX_ALIGNMENT + " bytes)");
        }
    }

    private void checkValueType(LLVMTypeRef type, String where) {
        int kind = LLVM.LLVMGetTypeKind(type);
        if (kind == LLVM.LLVMVoidTypeKind) {
            return;
        }
        if (kind == LLVM.LLVMIntegerTypeKind) {
            int bits = LLVM.LLVMGetIntTypeWidth(type);
            if (bits > MAX_INTEGER_BITS) {
                throw new UnsupportedModuleException(sourceName, where + " computes with i" + bits + " values; "
                        + "LLVM needs minutes and gigabytes to compile integers wider than i" + MAX_INTEGER_BITS);
            }
            return;
        }
        long elements = kind == LLVM.LLVMArrayTypeKind ? LLVM.LLVMGetArrayLength2(type)
                : kind == LLVM.LLVMStructTypeKind ? LLVM.LLVMCountStructElementTypes(type)
                : kind == LLVM.LLVMVectorTypeKind ? LLVM.LLVMGetVectorSize(type) : 0;
        if (elements >= MAX_AGGREGATE_ELEMENTS) {
            throw new UnsupportedModuleException(sourceName, where + " handles an aggregate of " + elements
                    + " elements as one value; LLVM's instruction selection crashes on such values (use memory and "
                    + "pointers instead, or fewer than " + MAX_AGGREGATE_ELEMENTS + " elements)");
        }
        checkDepth(type, where);
    }

    private void checkDepth(LLVMTypeRef type, String where) {
        int depth = depth(type, 0);
        if (depth > MAX_NESTING) {
            throw new UnsupportedModuleException(sourceName, where + " uses a type nested more than " + MAX_NESTING
                    + " levels deep; LLVM's code generator recurses per level and would overflow the thread's stack");
        }
    }

    /** Returns the nesting depth of a type, or a number beyond the limit as soon as it is exceeded. */
    private int depth(LLVMTypeRef type, int level) {
        if (level > MAX_NESTING) {
            return level;
        }
        Integer known = depths.get(type.address());
        if (known != null) {
            return known;
        }
        int kind = LLVM.LLVMGetTypeKind(type);
        int depth;
        if (kind == LLVM.LLVMArrayTypeKind || kind == LLVM.LLVMVectorTypeKind) {
            depth = 1 + depth(LLVM.LLVMGetElementType(type), level + 1);
        } else if (kind == LLVM.LLVMStructTypeKind) {
            depth = 1;
            int count = LLVM.LLVMCountStructElementTypes(type);
            for (int i = 0; i < count && depth <= MAX_NESTING; i++) {
                depth = Math.max(depth, 1 + depth(LLVM.LLVMStructGetTypeAtIndex(type, i), level + 1));
            }
        } else if (kind == LLVM.LLVMFunctionTypeKind) {
            depth = 1 + depth(LLVM.LLVMGetReturnType(type), level + 1);
            int count = LLVM.LLVMCountParamTypes(type);
            if (count > 0) {
                try (org.bytedeco.javacpp.PointerPointer<LLVMTypeRef> parameters =
                             new org.bytedeco.javacpp.PointerPointer<>(count)) {
                    LLVM.LLVMGetParamTypes(type, parameters);
                    for (int i = 0; i < count && depth <= MAX_NESTING; i++) {
                        depth = Math.max(depth, 1 + depth(parameters.get(LLVMTypeRef.class, i), level + 1));
                    }
                }
            }
        } else {
            depth = 0;
        }
        depths.put(type.address(), depth);
        return depth;
    }

    private static boolean isCall(LLVMValueRef instruction) {
        return Llvm.present(LLVM.LLVMIsACallInst(instruction)) || Llvm.present(LLVM.LLVMIsAInvokeInst(instruction))
                || Llvm.present(LLVM.LLVMIsACallBrInst(instruction));
    }

    private static String label(LLVMValueRef value) {
        String name = Llvm.name(value);
        return name.isEmpty() ? "(unnamed)" : name;
    }
}
