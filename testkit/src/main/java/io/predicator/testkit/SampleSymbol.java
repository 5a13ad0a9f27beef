package io.predicator.testkit;

import io.predicator.Signature;
import io.predicator.testkit.internal.Values;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A symbol the resolver under test is expected to resolve or to refuse, with what a plugin linked against it should
 * observe; {@link ResolverContract#samples()} lists them. Immutable: each {@code with}-style method returns a copy.
 *
 * <pre>{@code
 * SampleSymbol.function("strlen", "i64(ptr)").calledWith("hello").returns(5L)
 * SampleSymbol.function("getpid", "i32()").verifiedBy((getpid, arena) ->
 *         assertThat((int) getpid.invoke()).isEqualTo(ProcessHandle.current().pid()))
 * SampleSymbol.data("answer").containing(new byte[] {42, 0, 0, 0})
 * SampleSymbol.refused("system")
 * }</pre>
 *
 * <p>The contract links a generated plugin that imports the symbol: for a function it declares the symbol with the
 * given signature (LLVM type names, see {@link Signature}) and wraps it in a function that Java calls with the
 * arguments, marking the call {@code nobuiltin} so that the optimiser cannot replace a known C function with its own
 * code; for data it reads the bytes through the imported address. Arguments map to parameter types as follows:
 * {@code i1} Boolean, {@code i8} Byte, {@code i16} Short or Character, {@code i32} Integer (or a smaller integer),
 * {@code i64} Long (or a smaller integer), {@code float} Float, {@code double} Double or Float, and {@code ptr} a
 * {@link MemorySegment}, {@code null} (NULL), a {@link String} (passed as a NUL-terminated UTF-8 copy) or a
 * {@code byte[]} (passed as a copy). An expected {@code ptr} result may be a {@link MemorySegment} (compared by
 * address) or a {@link String} (compared with the NUL-terminated string the result points to).
 *
 * @since 0.1
 */
public final class SampleSymbol {

    /** Whether a sample is a function or a data symbol. */
    public enum Kind {
        /** A function, imported with {@code declare}. */
        FUNCTION,
        /** A data symbol, imported as an {@code external global}. */
        DATA
    }

    /**
     * Checks a call of a resolved function from Java, through the plugin that imports it.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface CallCheck {
        /**
         * Calls the function and checks what it does; throw (for example an AssertJ failure) if it misbehaves.
         *
         * @param function a method handle of the sample's signature that calls the symbol through the JIT-linked
         *                 plugin
         * @param arena a confined arena for arguments, closed after the check
         * @throws Throwable any failure
         */
        void check(MethodHandle function, Arena arena) throws Throwable;
    }

    /**
     * Checks a resolved data symbol at the address a JIT-linked plugin sees.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface DataCheck {
        /**
         * Checks the data; throw (for example an AssertJ failure) if it is wrong.
         *
         * @param address the address the plugin sees, as a zero-length segment (use {@code reinterpret} to read)
         * @throws Throwable any failure
         */
        void check(MemorySegment address) throws Throwable;
    }

    private final String name;
    private final Kind kind;
    private final boolean resolves;
    private final Signature signature;
    private final List<Object> arguments;
    private final boolean hasExpectedResult;
    private final Object expectedResult;
    private final CallCheck callCheck;
    private final byte[] expectedContent;
    private final DataCheck dataCheck;

    private SampleSymbol(String name, Kind kind, boolean resolves, Signature signature, List<Object> arguments,
                         boolean hasExpectedResult, Object expectedResult, CallCheck callCheck, byte[] expectedContent,
                         DataCheck dataCheck) {
        this.name = name;
        this.kind = kind;
        this.resolves = resolves;
        this.signature = signature;
        this.arguments = arguments;
        this.hasExpectedResult = hasExpectedResult;
        this.expectedResult = expectedResult;
        this.callCheck = callCheck;
        this.expectedContent = expectedContent;
        this.dataCheck = dataCheck;
    }

    /**
     * A function that must resolve; the contract links a plugin importing it and compares the address it sees.
     *
     * @param name the symbol name
     * @return the sample
     */
    public static SampleSymbol function(String name) {
        return new SampleSymbol(checkedName(name), Kind.FUNCTION, true, null, null, false, null, null, null, null);
    }

    /**
     * A function that must resolve, with its signature so that it can be called through a plugin.
     *
     * @param name the symbol name
     * @param signature its C signature with LLVM type names, such as {@code "i64(ptr)"}; variadic functions
     *                  ({@code "i32(ptr, ...)"}) are called with their fixed arguments only
     * @return the sample; add {@link #calledWith}, {@link #returns} or {@link #verifiedBy} to call it
     * @throws IllegalArgumentException if the signature does not parse
     */
    public static SampleSymbol function(String name, String signature) {
        requireNonNull(signature, "signature is null");
        return new SampleSymbol(checkedName(name), Kind.FUNCTION, true, Signature.parse(signature), null, false, null,
                null, null, null);
    }

    /**
     * A data symbol that must resolve; the contract links a plugin importing it and compares the address it sees.
     *
     * @param name the symbol name
     * @return the sample; add {@link #containing} or {@link #checkedBy} to check the bytes
     */
    public static SampleSymbol data(String name) {
        return new SampleSymbol(checkedName(name), Kind.DATA, true, null, null, false, null, null, null, null);
    }

    /**
     * A symbol the resolver must refuse: {@code resolve} gives empty and a plugin importing it does not load.
     *
     * @param name the symbol name
     * @return the sample
     */
    public static SampleSymbol refused(String name) {
        return new SampleSymbol(checkedName(name), Kind.FUNCTION, false, null, null, false, null, null, null, null);
    }

    /**
     * Calls the function with these arguments (see the class description for the accepted types).
     *
     * @param arguments one per parameter of the signature
     * @return a copy that calls the function
     * @throws IllegalArgumentException if this is not a function sample with a callable signature, or the arguments
     *                                  do not fit its parameters
     */
    public SampleSymbol calledWith(Object... arguments) {
        requireNonNull(arguments, "arguments is null");
        Signature callable = callableSignature("calledWith");
        if (arguments.length != callable.parameterTypes().size()) {
            throw new IllegalArgumentException("sample '" + name + "' has signature " + callable + " but calledWith got "
                    + arguments.length + " argument" + (arguments.length == 1 ? "" : "s"));
        }
        List<Object> copy = Collections.unmodifiableList(new ArrayList<>(Arrays.asList(arguments)));
        for (int i = 0; i < arguments.length; i++) {
            Values.checkArgument(name, callable.parameterTypes().get(i), arguments[i]);
        }
        return new SampleSymbol(name, kind, resolves, signature, copy, hasExpectedResult, expectedResult, callCheck,
                expectedContent, dataCheck);
    }

    /**
     * Expects the call to return this value; without {@link #calledWith}, the function must take no parameters.
     *
     * @param expected the result (see the class description for the accepted types)
     * @return a copy that checks the result
     * @throws IllegalArgumentException if this is not a function sample with a callable, non-void signature, or the
     *                                  value does not fit its return type
     */
    public SampleSymbol returns(Object expected) {
        Signature callable = callableSignature("returns");
        if (callable.returnType().equals("void")) {
            throw new IllegalArgumentException("sample '" + name + "' returns void; use calledWith or verifiedBy");
        }
        Values.checkResult(name, callable.returnType(), expected);
        return new SampleSymbol(name, kind, resolves, signature, arguments, true, expected, callCheck, expectedContent,
                dataCheck);
    }

    /**
     * Checks calls of the function in Java code of one's own, for results that vary or arguments that need setup.
     *
     * @param check the check, given a method handle of the sample's signature
     * @return a copy that runs the check
     * @throws IllegalArgumentException if this is not a function sample with a callable signature
     */
    public SampleSymbol verifiedBy(CallCheck check) {
        requireNonNull(check, "check is null");
        callableSignature("verifiedBy");
        return new SampleSymbol(name, kind, resolves, signature, arguments, hasExpectedResult, expectedResult, check,
                expectedContent, dataCheck);
    }

    /**
     * Expects the data symbol's first bytes to be these; the plugin reads them one by one.
     *
     * @param bytes the expected bytes, at most 4096
     * @return a copy that checks the bytes
     * @throws IllegalArgumentException if this is not a data sample
     */
    public SampleSymbol containing(byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        requireData("containing");
        if (bytes.length == 0 || bytes.length > 4096) {
            throw new IllegalArgumentException("expected content of '" + name + "' must be 1 to 4096 bytes, got "
                    + bytes.length);
        }
        return new SampleSymbol(name, kind, resolves, signature, arguments, hasExpectedResult, expectedResult, callCheck,
                bytes.clone(), dataCheck);
    }

    /**
     * Expects the data symbol to start with this text in UTF-8 (add {@code "\0"} to check the terminator too).
     *
     * @param text the expected text
     * @return a copy that checks the bytes
     * @throws IllegalArgumentException if this is not a data sample
     */
    public SampleSymbol containing(String text) {
        requireNonNull(text, "text is null");
        return containing(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks the data symbol in Java code of one's own.
     *
     * @param check the check, given the address the plugin sees
     * @return a copy that runs the check
     * @throws IllegalArgumentException if this is not a data sample
     */
    public SampleSymbol checkedBy(DataCheck check) {
        requireNonNull(check, "check is null");
        requireData("checkedBy");
        return new SampleSymbol(name, kind, resolves, signature, arguments, hasExpectedResult, expectedResult, callCheck,
                expectedContent, check);
    }

    /**
     * Returns the symbol name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns whether this is a function or a data symbol; refused samples are imported as functions.
     *
     * @return the kind
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Returns whether the resolver must resolve this symbol (or refuse it).
     *
     * @return true if it must resolve
     */
    public boolean resolves() {
        return resolves;
    }

    /**
     * Returns the function's signature, if given.
     *
     * @return the signature
     */
    public Optional<Signature> signature() {
        return Optional.ofNullable(signature);
    }

    /**
     * Returns the arguments to call the function with, if given.
     *
     * @return the arguments (elements may be null, meaning a NULL pointer)
     */
    public Optional<List<Object>> arguments() {
        return Optional.ofNullable(arguments);
    }

    /**
     * Returns whether a result is expected.
     *
     * @return true if {@link #returns} was given
     */
    public boolean hasExpectedResult() {
        return hasExpectedResult;
    }

    /**
     * Returns the expected result; meaningful only if {@link #hasExpectedResult()}.
     *
     * @return the expected result, possibly null (a NULL pointer)
     */
    public Object expectedResult() {
        return expectedResult;
    }

    /**
     * Returns the Java-side call check, if given.
     *
     * @return the check
     */
    public Optional<CallCheck> callCheck() {
        return Optional.ofNullable(callCheck);
    }

    /**
     * Returns the expected first bytes of a data symbol, if given.
     *
     * @return a copy of the bytes
     */
    public Optional<byte[]> expectedContent() {
        return Optional.ofNullable(expectedContent).map(byte[]::clone);
    }

    /**
     * Returns the Java-side data check, if given.
     *
     * @return the check
     */
    public Optional<DataCheck> dataCheck() {
        return Optional.ofNullable(dataCheck);
    }

    /**
     * Returns whether the contract calls this function: it has arguments, an expected result or a check.
     *
     * @return true if a call is made
     */
    public boolean isCalled() {
        return arguments != null || hasExpectedResult || callCheck != null;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        if (!resolves) {
            return "refused " + name;
        }
        text.append(kind == Kind.FUNCTION ? "function " : "data ").append(name);
        if (signature != null) {
            text.append(' ').append(signature);
        }
        if (arguments != null) {
            text.append(" called with ").append(Values.describe(arguments));
        }
        if (hasExpectedResult) {
            text.append(" returns ").append(Values.describe(expectedResult));
        }
        if (callCheck != null) {
            text.append(" verified by a check");
        }
        if (expectedContent != null) {
            text.append(" containing ").append(expectedContent.length).append(" expected bytes");
        }
        if (dataCheck != null) {
            text.append(" checked by a check");
        }
        return text.toString();
    }

    private Signature callableSignature(String method) {
        if (!resolves || kind != Kind.FUNCTION || signature == null) {
            throw new IllegalArgumentException(method + " needs a function sample with a signature, such as "
                    + "SampleSymbol.function(\"" + name + "\", \"i64(ptr)\"); got " + this);
        }
        Signature fixed = new Signature(signature.returnType(), signature.parameterTypes(), false);
        if (!fixed.isCallable()) {
            throw new IllegalArgumentException("sample '" + name + "' has signature " + signature + ", which Java cannot "
                    + "call (only void, i1, i8, i16, i32, i64, float, double and ptr); leave out " + method
                    + " to check linking only");
        }
        return fixed;
    }

    private void requireData(String method) {
        if (!resolves || kind != Kind.DATA) {
            throw new IllegalArgumentException(method + " needs a data sample, such as SampleSymbol.data(\"" + name
                    + "\"); got " + this);
        }
    }

    private static String checkedName(String name) {
        requireNonNull(name, "name is null");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a sample symbol name cannot be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a sample symbol name cannot contain NUL: " + name);
        }
        return name;
    }
}
