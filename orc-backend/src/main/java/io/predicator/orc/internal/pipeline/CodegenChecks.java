package io.predicator.orc.internal.pipeline;

import io.predicator.UnsupportedModuleException;
import io.predicator.orc.internal.llvm.Llvm;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMTypeRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Refuses, with a typed exception that names the problem, what verifies as IR but that LLVM's x86-64 code generator
 * cannot compile: it would end the process through LLVM's fatal error path ("Cannot select: intrinsic …",
 * "unsupported GC") instead of reporting an error. In-process such a module would end the JVM; in a compile
 * worker it would cost the worker. Also refuses symbol names the backend cannot carry.
 *
 * <ul>
 *   <li>intrinsics of other targets ({@code llvm.amdgcn.*}, {@code llvm.aarch64.*}, {@code llvm.wasm.*} …);</li>
 *   <li>x86 intrinsics that need a CPU feature this host lacks ({@code llvm.x86.xbegin} without RTM, AMX tiles,
 *       AVX-512 FP16 …), whatever the module's {@code target-features} say: code is generated for this CPU;</li>
 *   <li>scalable vector types, and intrinsics that name machine registers ({@code llvm.read_register});</li>
 *   <li>garbage-collector strategies LLVM does not have, and calling conventions of other targets or that need a
 *       runtime of their own (HiPE);</li>
 *   <li>names that are not UTF-8, and names with the prefix the backend gives the locals it promotes.</li>
 * </ul>
 */
final class CodegenChecks {
    /** Intrinsic name prefixes of targets other than x86, with the target's name. */
    private static final Map<String, String> FOREIGN_INTRINSICS = Map.ofEntries(
            Map.entry("llvm.aarch64.", "AArch64"), Map.entry("llvm.arm.", "ARM"),
            Map.entry("llvm.amdgcn.", "AMDGPU"), Map.entry("llvm.r600.", "AMDGPU"),
            Map.entry("llvm.nvvm.", "NVPTX"), Map.entry("llvm.wasm.", "WebAssembly"),
            Map.entry("llvm.riscv.", "RISC-V"), Map.entry("llvm.ppc.", "PowerPC"),
            Map.entry("llvm.mips.", "MIPS"), Map.entry("llvm.hexagon.", "Hexagon"),
            Map.entry("llvm.s390.", "SystemZ"), Map.entry("llvm.bpf.", "BPF"),
            Map.entry("llvm.loongarch.", "LoongArch"), Map.entry("llvm.spv.", "SPIR-V"),
            Map.entry("llvm.dx.", "DirectX"), Map.entry("llvm.ve.", "VE"), Map.entry("llvm.xcore.", "XCore"),
            Map.entry("llvm.sparc.", "SPARC"), Map.entry("llvm.lanai.", "Lanai"), Map.entry("llvm.msp430.", "MSP430"));
    /** x86 intrinsic name prefixes and the CPU feature each needs (the families LLVM cannot select without it). */
    private static final List<Map.Entry<String, String>> X86_FEATURES = List.of(
            Map.entry("llvm.x86.xbegin", "rtm"), Map.entry("llvm.x86.xend", "rtm"),
            Map.entry("llvm.x86.xabort", "rtm"), Map.entry("llvm.x86.xtest", "rtm"),
            Map.entry("llvm.x86.tile", "amx-tile"), Map.entry("llvm.x86.ldtilecfg", "amx-tile"),
            Map.entry("llvm.x86.sttilecfg", "amx-tile"), Map.entry("llvm.x86.tdp", "amx-int8"),
            Map.entry("llvm.x86.avx512fp16.", "avx512fp16"), Map.entry("llvm.x86.avx512bf16.", "avx512bf16"),
            Map.entry("llvm.x86.avx512.", "avx512f"), Map.entry("llvm.x86.avx2.", "avx2"),
            Map.entry("llvm.x86.avx.", "avx"), Map.entry("llvm.x86.fma.", "fma"),
            Map.entry("llvm.x86.sha", "sha"), Map.entry("llvm.x86.aes", "aes"),
            Map.entry("llvm.x86.rdrand", "rdrnd"), Map.entry("llvm.x86.rdseed", "rdseed"),
            Map.entry("llvm.x86.senduipi", "uintr"), Map.entry("llvm.x86.encodekey", "kl"),
            Map.entry("llvm.x86.aesenc128kl", "kl"), Map.entry("llvm.x86.vp2intersect", "avx512vp2intersect"));
    /** The garbage-collector strategies LLVM 20 has built in. */
    private static final Set<String> GC_STRATEGIES = Set.of("erlang", "ocaml", "shadow-stack", "statepoint-example",
            "coreclr");
    /**
     * The calling conventions the x86-64 code generator compiles without a runtime of its own: C, fast, cold, GHC,
     * anyreg, preserve_most/all/none, Swift, the TLS and tail ones, and the x86 ones it accepts on x86-64.
     */
    private static final Set<Integer> CALLING_CONVENTIONS = Set.of(0, 8, 9, 10, 13, 14, 15, 16, 17, 18, 20, 21, 64,
            65, 70, 78, 79, 80, 92);
    private static final int HIPE = 11;
    /** Intrinsics that name a machine register: x86-64 accepts only the stack and frame pointers, else it ends. */
    private static final List<String> REGISTER_INTRINSICS = List.of("llvm.read_register.", "llvm.write_register.",
            "llvm.read_volatile_register.");

    /** The features this host's CPU has, as LLVM names them; code is generated for this CPU. */
    private static final Set<String> HOST_FEATURES = Arrays.stream(Llvm.hostFeatures().split(","))
            .filter(feature -> feature.startsWith("+")).map(feature -> feature.substring(1))
            .collect(Collectors.toUnmodifiableSet());

    private final String sourceName;

    private CodegenChecks(String sourceName) {
        this.sourceName = sourceName;
    }

    /** Returns the checks for one module. */
    static CodegenChecks of(String sourceName) {
        return new CodegenChecks(sourceName);
    }

    /** Checks a function, declared or defined: its name, intrinsic, GC and calling convention. */
    void checkFunction(LLVMValueRef function) {
        String name = checkName(function);
        if (name.startsWith("llvm.")) {
            checkIntrinsic(name);
        }
        LLVMTypeRef type = LLVM.LLVMGlobalGetValueType(function);
        checkType(LLVM.LLVMGetReturnType(type), "function '" + name + "'");
        int parameters = LLVM.LLVMCountParamTypes(type);
        for (int i = 0; i < parameters; i++) {
            checkType(LLVM.LLVMTypeOf(LLVM.LLVMGetParam(function, i)), "function '" + name + "'");
        }
        BytePointer gc = LLVM.LLVMGetGC(function);
        if (gc != null && !gc.isNull()) {
            String strategy = gc.getString();
            if (!GC_STRATEGIES.contains(strategy)) {
                throw new UnsupportedModuleException(sourceName, "function '" + name + "' uses the garbage "
                        + "collector \"" + strategy + "\", which LLVM does not have; LLVM has " + String.join(", ",
                        GC_STRATEGIES.stream().sorted().toList()));
            }
        }
        checkCallingConvention(LLVM.LLVMGetFunctionCallConv(function), "function '" + name + "'");
    }

    /** Checks a global variable's or alias's name. */
    void checkGlobal(LLVMValueRef global) {
        checkName(global);
    }

    /** Checks the calling convention of a call. */
    void checkCall(LLVMValueRef call, String where) {
        checkCallingConvention(LLVM.LLVMGetInstructionCallConv(call), "a call in " + where);
    }

    /** Refuses scalable vectors: the x86-64 code generator cannot legalise them and ends the process. */
    void checkType(LLVMTypeRef type, String where) {
        if (LLVM.LLVMGetTypeKind(type) == LLVM.LLVMScalableVectorTypeKind) {
            throw new UnsupportedModuleException(sourceName, where + " uses a scalable vector type, which the "
                    + "x86-64 code generator cannot compile; use fixed-width vectors");
        }
    }

    private void checkIntrinsic(String name) {
        for (String register : REGISTER_INTRINSICS) {
            if (name.startsWith(register)) {
                throw new UnsupportedModuleException(sourceName, "it uses '" + name + "', which reads or writes a "
                        + "named machine register; the x86-64 code generator ends the process for most names, and "
                        + "plugins may not use it");
            }
        }
        for (Map.Entry<String, String> foreign : FOREIGN_INTRINSICS.entrySet()) {
            if (name.startsWith(foreign.getKey())) {
                throw new UnsupportedModuleException(sourceName, "it uses '" + name + "', an intrinsic of the "
                        + foreign.getValue() + " target, which this host's code generator (x86-64) cannot compile");
            }
        }
        for (Map.Entry<String, String> needs : X86_FEATURES) {
            if (name.startsWith(needs.getKey()) && !HOST_FEATURES.contains(needs.getValue())) {
                throw new UnsupportedModuleException(sourceName, "it uses '" + name + "', which needs the CPU "
                        + "feature '" + needs.getValue() + "' that this host (" + Llvm.hostCpu() + ") lacks; code is "
                        + "generated for this CPU");
            }
        }
    }

    private void checkCallingConvention(int convention, String where) {
        if (CALLING_CONVENTIONS.contains(convention)) {
            return;
        }
        throw new UnsupportedModuleException(sourceName, where + " uses calling convention " + convention
                + (convention == HIPE ? " (HiPE, which needs the Erlang runtime's parameters)"
                : ", which the x86-64 code generator does not compile") + "; use the C calling convention");
    }

    /** Returns the value's name, refusing one that is not UTF-8 or that takes the backend's reserved prefix. */
    private String checkName(LLVMValueRef value) {
        byte[] bytes = Llvm.nameBytes(value);
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UnsupportedModuleException(sourceName, "it names a symbol with bytes that are not UTF-8 ("
                    + java.util.HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32))
                    + (bytes.length > 32 ? "…" : "") + " in hex); plugin symbols must have UTF-8 names");
        }
        if (name.startsWith(ModuleSplitter.LOCAL_PREFIX)) {
            throw new UnsupportedModuleException(sourceName, "it defines '" + name + "'; names that start with '"
                    + ModuleSplitter.LOCAL_PREFIX + "' are reserved for the backend's own use");
        }
        return name;
    }
}
