package io.predicator.orc.internal.llvm;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.bytedeco.llvm.LLVM.LLVMErrorRef;
import org.bytedeco.llvm.LLVM.LLVMValueRef;
import org.bytedeco.llvm.global.LLVM;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Process-wide LLVM set-up and the one place where LLVM errors and messages become Java strings, always
 * disposing the native object.
 */
public final class Llvm {
    private static final String VERSION;
    private static final String HOST_TRIPLE;
    private static final String HOST_CPU;
    private static final String HOST_FEATURES;

    static {
        Loader.load(LLVM.class);
        // Never LLVMEnablePrettyStackTrace: it replaces the JVM's own signal handlers.
        if (LLVM.LLVMInitializeNativeTarget() != 0 || LLVM.LLVMInitializeNativeAsmPrinter() != 0
                || LLVM.LLVMInitializeNativeAsmParser() != 0) {
            throw new IllegalStateException("LLVM has no code generator for this host");
        }
        FatalErrors.install();
        HOST_TRIPLE = takeMessage(LLVM.LLVMGetDefaultTargetTriple());
        HOST_CPU = takeMessage(LLVM.LLVMGetHostCPUName());
        HOST_FEATURES = takeMessage(LLVM.LLVMGetHostCPUFeatures());
        int[] major = new int[1];
        int[] minor = new int[1];
        int[] patch = new int[1];
        LLVM.LLVMGetVersion(major, minor, patch);
        VERSION = major[0] + "." + minor[0] + "." + patch[0];
    }

    private Llvm() {
    }

    /** Loads and initialises LLVM once; cheap after the first call. */
    public static void initialize() {
        // the static initialiser does the work
    }

    /** Returns the LLVM version, e.g. {@code 20.1.7}. */
    public static String version() {
        return VERSION;
    }

    /** Returns the host's target triple. */
    public static String hostTriple() {
        return HOST_TRIPLE;
    }

    /** Returns the host CPU's name, e.g. {@code znver3}. */
    public static String hostCpu() {
        return HOST_CPU;
    }

    /** Returns the host CPU's features, e.g. {@code +sse2,+avx2,...}. */
    public static String hostFeatures() {
        return HOST_FEATURES;
    }

    /**
     * Returns a message LLVM allocated as a Java string and disposes it.
     *
     * @param message the message, may be null
     * @return the text, empty for null
     */
    public static String takeMessage(BytePointer message) {
        if (message == null || message.isNull()) {
            return "";
        }
        try {
            return message.getString();
        } finally {
            LLVM.LLVMDisposeMessage(message);
        }
    }

    /**
     * Returns whether JavaCPP handed back a real pointer: it returns either null or a null pointer for NULL.
     *
     * @param pointer the result of an LLVM-C call
     * @return true if it points somewhere
     */
    public static boolean present(Pointer pointer) {
        return pointer != null && !pointer.isNull();
    }

    /**
     * Returns the name of a global value, function or instruction.
     *
     * @param value the value
     * @return its name, empty if it has none
     */
    public static String name(LLVMValueRef value) {
        return new String(nameBytes(value), StandardCharsets.UTF_8);
    }

    /**
     * Returns the name of a global value as LLVM holds it: bytes, which need not be UTF-8, so that renaming with
     * {@link #rename} reproduces it exactly.
     *
     * @param value the value
     * @return its name's bytes, empty if it has none
     */
    public static byte[] nameBytes(LLVMValueRef value) {
        try (SizeTPointer length = new SizeTPointer(1)) {
            BytePointer name = LLVM.LLVMGetValueName2(value, length);
            byte[] bytes = new byte[!present(name) ? 0 : (int) length.get()];
            if (bytes.length > 0) {
                name.capacity(bytes.length).get(bytes);
            }
            return bytes;
        }
    }

    /**
     * Gives a value exactly this name; LLVM adds a suffix if another global value has it already.
     *
     * @param value the value
     * @param name the name's bytes, empty for none
     */
    public static void rename(LLVMValueRef value, byte[] name) {
        try (BytePointer bytes = new BytePointer(Math.max(1, name.length))) {
            bytes.put(name);
            LLVM.LLVMSetValueName2(value, bytes, name.length);
        }
    }

    /**
     * Consumes an error and returns its message; returns null on success.
     *
     * @param error the error, may be null or a null pointer
     * @return the message, or null if there was no error
     */
    public static String consume(LLVMErrorRef error) {
        if (error == null || error.isNull()) {
            return null;
        }
        BytePointer message = LLVM.LLVMGetErrorMessage(error); // consumes the error
        try {
            return message.getString();
        } finally {
            LLVM.LLVMDisposeErrorMessage(message);
        }
    }

    /**
     * Consumes an error and throws the exception the factory makes of its message.
     *
     * @param error the error, may be null or a null pointer
     * @param exception makes an exception from LLVM's message
     */
    public static void check(LLVMErrorRef error, Function<String, ? extends RuntimeException> exception) {
        String message = consume(error);
        if (message != null) {
            throw exception.apply(message);
        }
    }
}
