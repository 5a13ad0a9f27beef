package io.predicator.lifecycle;

import io.predicator.ModuleSource;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.bytedeco.llvm.global.LLVM.LLVMCodeGenLevelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMCodeModelDefault;
import static org.bytedeco.llvm.global.LLVM.LLVMContextCreate;
import static org.bytedeco.llvm.global.LLVM.LLVMContextDispose;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateMemoryBufferWithMemoryRangeCopy;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetDataLayout;
import static org.bytedeco.llvm.global.LLVM.LLVMCreateTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeMemoryBuffer;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeMessage;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeModule;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetData;
import static org.bytedeco.llvm.global.LLVM.LLVMDisposeTargetMachine;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferSize;
import static org.bytedeco.llvm.global.LLVM.LLVMGetBufferStart;
import static org.bytedeco.llvm.global.LLVM.LLVMGetDefaultTargetTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMGetTargetFromTriple;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeAsmPrinter;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeTarget;
import static org.bytedeco.llvm.global.LLVM.LLVMObjectFile;
import static org.bytedeco.llvm.global.LLVM.LLVMParseIRInContext;
import static org.bytedeco.llvm.global.LLVM.LLVMRelocPIC;
import static org.bytedeco.llvm.global.LLVM.LLVMSetModuleDataLayout;
import static org.bytedeco.llvm.global.LLVM.LLVMSetTarget;
import static org.bytedeco.llvm.global.LLVM.LLVMTargetMachineEmitToMemoryBuffer;
import static org.bytedeco.llvm.global.LLVM.LLVMWriteBitcodeToMemoryBuffer;

/**
 * Test plugins: small IR modules whose results identify the version that produced them, and bitcode, objects and
 * archives made from that IR with LLVM-C, independently of the backend.
 */
final class Modules {
    private static boolean targetsInitialised;

    private Modules() {
    }

    /**
     * A plugin exporting {@code i32 apply(i32 x)} = {@code 3 * x + tag}, {@code i32 tag()} = {@code tag} and
     * {@code i32 wait_for(ptr flag, ptr entered)}, which tells the caller it entered, spins until the flag is nonzero
     * and returns {@code tag}.
     */
    static String tagged(int tag) {
        return """
                define i32 @apply(i32 %%x) {
                  %%triple = mul i32 %%x, 3
                  %%result = add i32 %%triple, %d
                  ret i32 %%result
                }

                define i32 @tag() {
                  ret i32 %d
                }

                define i32 @wait_for(ptr %%flag, ptr %%entered) {
                entry:
                  store atomic i32 1, ptr %%entered release, align 4
                  br label %%loop
                loop:
                  %%value = load atomic i32, ptr %%flag acquire, align 4
                  %%unset = icmp eq i32 %%value, 0
                  br i1 %%unset, label %%loop, label %%done
                done:
                  ret i32 %d
                }
                """.formatted(tag, tag, tag);
    }

    /** {@link #tagged(int)} as an IR module source. */
    static ModuleSource taggedSource(int tag) {
        return ModuleSource.ir("tagged-" + tag + ".ll", tagged(tag));
    }

    /** A module that exports only {@code i32 tag()}: a swap to it must be refused by views of {@code apply}. */
    static String tagOnly(int tag) {
        return """
                define i32 @tag() {
                  ret i32 %d
                }
                """.formatted(tag);
    }

    /** A module whose {@code apply} takes and returns {@code i64}: its signature differs from {@code i32(i32)}. */
    static String wideApply() {
        return """
                define i64 @apply(i64 %x) {
                  ret i64 %x
                }
                """;
    }

    /** A module that calls a function nobody provides. */
    static String unresolved() {
        return """
                declare i32 @no_such_host_function(i32)

                define i32 @apply(i32 %x) {
                  %result = call i32 @no_such_host_function(i32 %x)
                  ret i32 %result
                }
                """;
    }

    /** IR that does not parse. */
    static String broken() {
        return """
                define i32 @apply(i32 %x) {
                  %result = add i32 %x,
                  ret i32 %result
                }
                """;
    }

    /** Plain bitcode of the IR. */
    static byte[] bitcode(String ir) {
        LLVMContextRef context = LLVMContextCreate();
        try {
            LLVMModuleRef module = parse(context, ir);
            try {
                LLVMMemoryBufferRef buffer = LLVMWriteBitcodeToMemoryBuffer(module);
                try {
                    return bytes(buffer);
                } finally {
                    LLVMDisposeMemoryBuffer(buffer);
                }
            } finally {
                LLVMDisposeModule(module);
            }
        } finally {
            LLVMContextDispose(context);
        }
    }

    /** A position-independent ELF object for the host. */
    static byte[] object(String ir) {
        initialiseTargets();
        BytePointer triple = LLVMGetDefaultTargetTriple();
        try {
            LLVMTargetRef target = new LLVMTargetRef();
            BytePointer error = new BytePointer();
            if (LLVMGetTargetFromTriple(triple, target, error) != 0) {
                throw new IllegalStateException("no LLVM target for the host: " + consume(error));
            }
            LLVMTargetMachineRef machine;
            try (BytePointer cpu = new BytePointer(""); BytePointer features = new BytePointer("")) {
                machine = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelDefault,
                        LLVMRelocPIC, LLVMCodeModelDefault);
            }
            try {
                LLVMContextRef context = LLVMContextCreate();
                try {
                    LLVMModuleRef module = parse(context, ir);
                    try {
                        LLVMSetTarget(module, triple);
                        LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(machine);
                        LLVMSetModuleDataLayout(module, layout);
                        LLVMDisposeTargetData(layout);
                        LLVMMemoryBufferRef buffer = new LLVMMemoryBufferRef();
                        BytePointer emitError = new BytePointer();
                        if (LLVMTargetMachineEmitToMemoryBuffer(machine, module, LLVMObjectFile, emitError, buffer) != 0) {
                            throw new IllegalStateException("LLVM failed to emit an object: " + consume(emitError));
                        }
                        try {
                            return bytes(buffer);
                        } finally {
                            LLVMDisposeMemoryBuffer(buffer);
                        }
                    } finally {
                        LLVMDisposeModule(module);
                    }
                } finally {
                    LLVMContextDispose(context);
                }
            } finally {
                LLVMDisposeTargetMachine(machine);
            }
        } finally {
            LLVMDisposeMessage(triple);
        }
    }

    /** A GNU {@code ar} archive with one member and no symbol table. */
    static byte[] archive(String memberName, byte[] member) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
        String header = "%-16s%-12s%-6s%-6s%-8s%-10s`\n".formatted(memberName + "/", "0", "0", "0", "644", member.length);
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(member);
        if ((member.length & 1) != 0) {
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static LLVMModuleRef parse(LLVMContextRef context, String ir) {
        byte[] text = ir.getBytes(StandardCharsets.UTF_8);
        LLVMMemoryBufferRef buffer;
        try (BytePointer data = new BytePointer(text.length + 1L); BytePointer name = new BytePointer("fixture.ll")) {
            data.put(text).put(text.length, (byte) 0);
            buffer = LLVMCreateMemoryBufferWithMemoryRangeCopy(data, text.length, name);
        }
        LLVMModuleRef module = new LLVMModuleRef();
        BytePointer error = new BytePointer();
        if (LLVMParseIRInContext(context, buffer, module, error) != 0) {
            throw new IllegalArgumentException("fixture IR does not parse: " + consume(error));
        }
        return module;
    }

    private static byte[] bytes(LLVMMemoryBufferRef buffer) {
        byte[] bytes = new byte[Math.toIntExact(LLVMGetBufferSize(buffer))];
        LLVMGetBufferStart(buffer).get(bytes);
        return bytes;
    }

    private static String consume(BytePointer message) {
        if (message == null || message.isNull()) {
            return "(no message)";
        }
        try {
            return message.getString();
        } finally {
            LLVMDisposeMessage(message);
        }
    }

    private static synchronized void initialiseTargets() {
        if (!targetsInitialised) {
            LLVMInitializeNativeTarget();
            LLVMInitializeNativeAsmPrinter();
            targetsInitialised = true;
        }
    }
}
