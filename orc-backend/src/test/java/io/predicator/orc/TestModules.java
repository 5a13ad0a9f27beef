package io.predicator.orc;

import io.predicator.ModuleSource;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMContextRef;
import org.bytedeco.llvm.LLVM.LLVMMemoryBufferRef;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.LLVM.LLVMTargetMachineRef;
import org.bytedeco.llvm.LLVM.LLVMTargetRef;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static java.util.Objects.requireNonNull;
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
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAArch64AsmPrinter;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAArch64Target;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAArch64TargetInfo;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeAArch64TargetMC;
import static org.bytedeco.llvm.global.LLVM.LLVMInitializeNativeAsmParser;
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
 * Produces the test plugins: IR text from {@code src/test/resources/ir}, and bitcode, ELF objects (for the host or
 * for aarch64) and {@code ar} archives made from that IR at test time with LLVM-C, independently of the backend.
 */
final class TestModules {
    /** The triple of a foreign architecture whose objects the host must refuse. */
    static final String AARCH64_TRIPLE = "aarch64-unknown-linux-gnu";

    /**
     * An array of the plugin's own with appending linkage, read by {@code i32 second()}: the verifier accepts it,
     * LLVM's code generator ends the process on it.
     */
    static final String APPENDING_ARRAY = """
            @listed = appending global [2 x i32] [i32 7, i32 9]
            define i32 @second() {
              %slot = getelementptr [2 x i32], ptr @listed, i64 0, i64 1
              %v = load i32, ptr %slot
              ret i32 %v
            }
            """;

    /** {@code i32 add(i32, i32)}, {@code i32 sub(i32, i32)}, {@code i32 mul(i32, i32)}; used everywhere. */
    static final String ARITH = "arith.ll";

    private static final int WRAPPER_MAGIC = 0x0B17C0DE;
    private static final int CPU_TYPE_X86_64 = 0x01000007;
    private static final Object LLVM_INIT_LOCK = new Object();
    private static boolean initialised;

    private TestModules() {
    }

    /** Reads an IR fixture from the class path ({@code /ir/<name>}). */
    static String irText(String resource) {
        try (InputStream in = TestModules.class.getResourceAsStream("/ir/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /ir/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An IR fixture as a module source named after the resource. */
    static ModuleSource ir(String resource) {
        return ModuleSource.ir(resource, irText(resource));
    }

    /** A tiny IR plugin whose {@code i32 value()} returns the given constant and that also defines {@code add}. */
    static String valueIr(int value) {
        return """
                define i32 @value() {
                  ret i32 %d
                }

                define i32 @add(i32 %%a, i32 %%b) {
                  %%sum = add i32 %%a, %%b
                  ret i32 %%sum
                }
                """.formatted(value);
    }

    /** Plain bitcode of the given IR, written by LLVM. */
    static byte[] bitcode(String ir) {
        LLVMContextRef context = LLVMContextCreate();
        try {
            LLVMModuleRef module = parse(context, ir);
            try {
                LLVMMemoryBufferRef buffer = LLVMWriteBitcodeToMemoryBuffer(module);
                try {
                    return toBytes(buffer);
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

    /**
     * Wraps bitcode in the 20-byte bitcode wrapper header (as Apple's toolchains write it): magic 0x0B17C0DE,
     * version 0, offset 20, size, CPU type; all little-endian 32-bit words.
     */
    static byte[] wrapBitcode(byte[] bitcode) {
        ByteBuffer wrapped = ByteBuffer.allocate(20 + bitcode.length).order(ByteOrder.LITTLE_ENDIAN);
        wrapped.putInt(WRAPPER_MAGIC).putInt(0).putInt(20).putInt(bitcode.length).putInt(CPU_TYPE_X86_64);
        wrapped.put(bitcode);
        return wrapped.array();
    }

    /** An ELF relocatable object for the host, compiled from the IR with a position-independent target machine. */
    static byte[] object(String ir) {
        initialiseTargets();
        BytePointer triple = LLVMGetDefaultTargetTriple();
        try {
            return object(ir, triple);
        } finally {
            LLVMDisposeMessage(triple);
        }
    }

    /** An ELF relocatable object for aarch64 Linux, which a x86-64 host cannot load. */
    static byte[] aarch64Object(String ir) {
        initialiseTargets();
        try (BytePointer triple = new BytePointer(AARCH64_TRIPLE)) {
            return object(ir, triple);
        }
    }

    /** One member of an {@code ar} archive, with the global symbols it defines (for the symbol table). */
    record Member(String name, byte[] content, List<String> definedSymbols) {
        Member {
            requireNonNull(name, "name is null");
            requireNonNull(content, "content is null");
            if (name.length() > 15 || name.contains("/")) {
                throw new IllegalArgumentException("member names must fit a GNU short name (15 chars): " + name);
            }
            definedSymbols = List.copyOf(definedSymbols);
        }

        Member(String name, byte[] content) {
            this(name, content, List.of());
        }
    }

    /**
     * Writes a GNU {@code ar} archive: the {@code !<arch>\n} header, then for each member a 60-byte header and its
     * content padded to an even size; optionally a GNU symbol table ({@code /}) first, as {@code ar rcs} writes.
     */
    static byte[] archive(boolean withSymbolTable, Member... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("!<arch>\n".getBytes(StandardCharsets.US_ASCII));
        if (withSymbolTable) {
            int symbolCount = 0;
            ByteArrayOutputStream names = new ByteArrayOutputStream();
            for (Member member : members) {
                for (String symbol : member.definedSymbols()) {
                    symbolCount++;
                    names.writeBytes(symbol.getBytes(StandardCharsets.US_ASCII));
                    names.write(0);
                }
            }
            int tableSize = 4 + 4 * symbolCount + names.size();
            int offset = 8 + 60 + tableSize + (tableSize & 1);
            ByteBuffer table = ByteBuffer.allocate(tableSize).order(ByteOrder.BIG_ENDIAN);
            table.putInt(symbolCount);
            for (Member member : members) {
                for (int i = 0; i < member.definedSymbols().size(); i++) {
                    table.putInt(offset);
                }
                offset += 60 + member.content().length + (member.content().length & 1);
            }
            table.put(names.toByteArray());
            writeMember(out, "/", table.array());
        }
        for (Member member : members) {
            writeMember(out, member.name() + "/", member.content());
        }
        return out.toByteArray();
    }

    /** Returns a copy of the first {@code length} bytes. */
    static byte[] truncate(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }

    private static void writeMember(ByteArrayOutputStream out, String name, byte[] content) {
        String header = "%-16s%-12s%-6s%-6s%-8s%-10s`\n".formatted(name, "0", "0", "0", "644", content.length);
        if (header.length() != 60) {
            throw new IllegalStateException("ar member header must be 60 bytes: '" + header + "'");
        }
        out.writeBytes(header.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(content);
        if ((content.length & 1) != 0) {
            out.write('\n');
        }
    }

    private static byte[] object(String ir, BytePointer triple) {
        LLVMTargetRef target = new LLVMTargetRef();
        BytePointer error = new BytePointer();
        if (LLVMGetTargetFromTriple(triple, target, error) != 0) {
            throw new IllegalStateException("no LLVM target for " + triple.getString() + ": " + consume(error));
        }
        LLVMTargetMachineRef machine;
        try (BytePointer cpu = new BytePointer(""); BytePointer features = new BytePointer("")) {
            machine = LLVMCreateTargetMachine(target, triple, cpu, features, LLVMCodeGenLevelDefault, LLVMRelocPIC,
                    LLVMCodeModelDefault);
        }
        if (machine == null || machine.isNull()) {
            throw new IllegalStateException("LLVM created no target machine for " + triple.getString());
        }
        try {
            LLVMContextRef context = LLVMContextCreate();
            try {
                LLVMModuleRef module = parse(context, ir);
                try {
                    LLVMSetTarget(module, triple);
                    LLVMTargetDataRef layout = LLVMCreateTargetDataLayout(machine);
                    try {
                        LLVMSetModuleDataLayout(module, layout);
                    } finally {
                        LLVMDisposeTargetData(layout);
                    }
                    LLVMMemoryBufferRef buffer = new LLVMMemoryBufferRef();
                    BytePointer emitError = new BytePointer();
                    if (LLVMTargetMachineEmitToMemoryBuffer(machine, module, LLVMObjectFile, emitError, buffer) != 0) {
                        throw new IllegalStateException("LLVM failed to emit an object: " + consume(emitError));
                    }
                    try {
                        return toBytes(buffer);
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
    }

    /** Parses IR text into a module of the context; LLVMParseIRInContext takes ownership of the buffer. */
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
            throw new IllegalArgumentException("test fixture IR does not parse: " + consume(error));
        }
        return module;
    }

    private static byte[] toBytes(LLVMMemoryBufferRef buffer) {
        BytePointer start = LLVMGetBufferStart(buffer);
        byte[] bytes = new byte[Math.toIntExact(LLVMGetBufferSize(buffer))];
        start.get(bytes);
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

    private static void initialiseTargets() {
        synchronized (LLVM_INIT_LOCK) {
            if (!initialised) {
                LLVMInitializeNativeTarget();
                LLVMInitializeNativeAsmPrinter();
                LLVMInitializeNativeAsmParser();
                LLVMInitializeAArch64TargetInfo();
                LLVMInitializeAArch64Target();
                LLVMInitializeAArch64TargetMC();
                LLVMInitializeAArch64AsmPrinter();
                initialised = true;
            }
        }
    }
}
