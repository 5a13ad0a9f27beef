package io.predicator;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A native function's signature written with LLVM's type names, for example {@code i32(i32, ptr)}.
 *
 * <p>The types that Java can call through {@code java.lang.foreign} are {@code void}, {@code i1} ({@code boolean}),
 * {@code i8} ({@code byte}), {@code i16} ({@code short} or {@code char}), {@code i32} ({@code int}), {@code i64}
 * ({@code long}), {@code float}, {@code double} and {@code ptr} ({@link MemorySegment}). Other LLVM types (such as
 * {@code i128} or structures passed by value) are kept verbatim so they can be shown, but such a signature is not
 * {@linkplain #isCallable() callable}.
 *
 * @param returnType the return type, e.g. {@code "i32"} or {@code "void"}
 * @param parameterTypes the parameter types, in order
 * @param variadic whether the function takes variable arguments after the fixed ones
 * @since 0.1
 */
public record Signature(String returnType, List<String> parameterTypes, boolean variadic) {

    private static final Map<String, MemoryLayout> LAYOUTS = Map.of(
            "i1", ValueLayout.JAVA_BOOLEAN,
            "i8", ValueLayout.JAVA_BYTE,
            "i16", ValueLayout.JAVA_SHORT,
            "i32", ValueLayout.JAVA_INT,
            "i64", ValueLayout.JAVA_LONG,
            "float", ValueLayout.JAVA_FLOAT,
            "double", ValueLayout.JAVA_DOUBLE,
            "ptr", ValueLayout.ADDRESS);

    /** Derived once per interface: plugins of a long-running process ask for the same interfaces again and again. */
    private static final ClassValue<Signature> INTERFACE_SIGNATURES = new ClassValue<>() {
        @Override
        protected Signature computeValue(Class<?> type) {
            return derive(type);
        }
    };

    private static final Map<Class<?>, String> JAVA_TYPES = Map.of(
            boolean.class, "i1",
            byte.class, "i8",
            short.class, "i16",
            char.class, "i16",
            int.class, "i32",
            long.class, "i64",
            float.class, "float",
            double.class, "double",
            MemorySegment.class, "ptr");

    /**
     * Creates a signature; types are trimmed and must not be blank.
     */
    public Signature {
        requireNonNull(returnType, "returnType is null");
        requireNonNull(parameterTypes, "parameterTypes is null");
        returnType = checkedType(returnType);
        parameterTypes = parameterTypes.stream().map(Signature::checkedType).toList();
        if (parameterTypes.contains("void")) {
            throw new IllegalArgumentException("a parameter cannot be void: " + parameterTypes);
        }
    }

    /**
     * Creates a non-variadic signature.
     *
     * @param returnType the return type
     * @param parameterTypes the parameter types
     * @return the signature
     */
    public static Signature of(String returnType, String... parameterTypes) {
        return new Signature(returnType, Arrays.asList(parameterTypes), false);
    }

    /**
     * Parses the textual form {@code ret(param, param, ...)}, as printed by {@link #toString()}; LLVM's own
     * spelling with a space before the parenthesis ({@code i32 (i32, i32)}) and {@code ...} for varargs work too.
     *
     * @param text the signature text
     * @return the parsed signature
     * @throws IllegalArgumentException if the text is not a signature
     */
    public static Signature parse(String text) {
        requireNonNull(text, "text is null");
        String trimmed = text.strip();
        int open = parameterListStart(trimmed);
        if (open <= 0 || !trimmed.endsWith(")")) {
            throw new IllegalArgumentException("not a signature, expected e.g. 'i32(i32, i32)': '" + text + "'");
        }
        String returnType = trimmed.substring(0, open).strip();
        List<String> parameters = splitTopLevel(trimmed.substring(open + 1, trimmed.length() - 1));
        boolean variadic = !parameters.isEmpty() && parameters.getLast().equals("...");
        if (variadic) {
            parameters = parameters.subList(0, parameters.size() - 1);
        }
        try {
            return new Signature(returnType, parameters, variadic);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a signature: '" + text + "': " + e.getMessage(), e);
        }
    }

    /**
     * Derives the signature of a functional interface's single abstract method.
     *
     * @param functionalInterface an interface with exactly one abstract method whose types map to C
     * @return the signature of that method
     * @throws IllegalArgumentException if it is not such an interface or uses a type with no C equivalent
     */
    public static Signature of(Class<?> functionalInterface) {
        requireNonNull(functionalInterface, "functionalInterface is null");
        return INTERFACE_SIGNATURES.get(functionalInterface);
    }

    private static Signature derive(Class<?> functionalInterface) {
        Method method = singleAbstractMethod(functionalInterface);
        List<String> parameters = new ArrayList<>();
        for (Class<?> type : method.getParameterTypes()) {
            parameters.add(javaType(functionalInterface, type));
        }
        String returnType = method.getReturnType() == void.class ? "void" : javaType(functionalInterface, method.getReturnType());
        return new Signature(returnType, parameters, false);
    }

    /**
     * Derives the signature that a function descriptor describes.
     *
     * @param descriptor the descriptor
     * @return the signature, with non-scalar layouts spelled by their layout
     */
    public static Signature of(FunctionDescriptor descriptor) {
        requireNonNull(descriptor, "descriptor is null");
        String returnType = descriptor.returnLayout().map(Signature::layoutType).orElse("void");
        return new Signature(returnType, descriptor.argumentLayouts().stream().map(Signature::layoutType).toList(), false);
    }

    /**
     * Returns the single abstract method of a functional interface.
     *
     * @param functionalInterface the interface
     * @return its only abstract method
     * @throws IllegalArgumentException if it is not an interface with exactly one abstract method
     */
    public static Method singleAbstractMethod(Class<?> functionalInterface) {
        requireNonNull(functionalInterface, "functionalInterface is null");
        if (!functionalInterface.isInterface()) {
            throw new IllegalArgumentException(functionalInterface.getName() + " is not an interface");
        }
        List<Method> abstractMethods = Arrays.stream(functionalInterface.getMethods())
                .filter(method -> Modifier.isAbstract(method.getModifiers()))
                .filter(method -> !isObjectMethod(method))
                .toList();
        if (abstractMethods.size() != 1) {
            throw new IllegalArgumentException(functionalInterface.getName()
                    + " must have exactly one abstract method, found " + abstractMethods.size());
        }
        return abstractMethods.getFirst();
    }

    /**
     * Returns whether Java can call a function of this signature through {@code java.lang.foreign}.
     *
     * @return true if every type maps to a Java type and the function is not variadic
     */
    public boolean isCallable() {
        return !variadic
                && (returnType.equals("void") || LAYOUTS.containsKey(returnType))
                && LAYOUTS.keySet().containsAll(parameterTypes);
    }

    /**
     * Converts this signature to the descriptor a downcall needs.
     *
     * @return the function descriptor
     * @throws IllegalStateException if the signature is not {@linkplain #isCallable() callable}
     */
    public FunctionDescriptor toFunctionDescriptor() {
        if (!isCallable()) {
            throw new IllegalStateException("signature " + this + " cannot be called from Java: only void, i1, i8, i16, "
                    + "i32, i64, float, double and ptr without varargs can");
        }
        MemoryLayout[] arguments = parameterTypes.stream().map(LAYOUTS::get).toArray(MemoryLayout[]::new);
        return returnType.equals("void")
                ? FunctionDescriptor.ofVoid(arguments)
                : FunctionDescriptor.of(LAYOUTS.get(returnType), arguments);
    }

    /**
     * Returns the signature as text, e.g. {@code i32(i32, ptr)}; {@link #parse(String)} reads it back.
     *
     * @return the textual form
     */
    @Override
    public String toString() {
        List<String> all = new ArrayList<>(parameterTypes);
        if (variadic) {
            all.add("...");
        }
        return returnType + "(" + String.join(", ", all) + ")";
    }

    /**
     * Returns the Java type that carries values of an LLVM type in a downcall.
     *
     * @param llvmType an LLVM type name such as {@code i32}
     * @return the Java carrier, or empty if Java cannot call with it
     */
    static Optional<Class<?>> carrier(String llvmType) {
        if (llvmType.equals("void")) {
            return Optional.of(void.class);
        }
        return Optional.ofNullable(LAYOUTS.get(llvmType)).map(layout -> ((ValueLayout) layout).carrier());
    }

    private static String checkedType(String type) {
        requireNonNull(type, "type is null");
        String stripped = type.strip();
        if (stripped.isEmpty()) {
            throw new IllegalArgumentException("a type cannot be blank");
        }
        return stripped;
    }

    private static String javaType(Class<?> owner, Class<?> type) {
        String llvmType = JAVA_TYPES.get(type);
        if (llvmType == null) {
            throw new IllegalArgumentException(owner.getName() + " uses " + type.getName()
                    + ", which has no C equivalent; use a primitive or MemorySegment");
        }
        return llvmType;
    }

    private static String layoutType(MemoryLayout layout) {
        if (layout instanceof AddressLayout) {
            return "ptr";
        }
        if (layout instanceof ValueLayout value) {
            String type = JAVA_TYPES.get(value.carrier());
            if (type != null) {
                return type;
            }
        }
        return layout.toString();
    }

    private static boolean isObjectMethod(Method method) {
        try {
            Object.class.getMethod(method.getName(), method.getParameterTypes());
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    /** Returns the index of the parenthesis that opens the final, parameter, list; -1 if unbalanced. */
    private static int parameterListStart(String text) {
        int depth = 0;
        for (int i = text.length() - 1; i >= 0; i--) {
            char c = text.charAt(i);
            if (c == ')') {
                depth++;
            } else if (c == '(' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '(' || c == '{' || c == '[' || c == '<') {
                depth++;
            } else if (c == ')' || c == '}' || c == ']' || c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(text.substring(start, i).strip());
                start = i + 1;
            }
        }
        String last = text.substring(start).strip();
        if (!last.isEmpty() || !parts.isEmpty()) {
            parts.add(last);
        }
        return parts;
    }
}
