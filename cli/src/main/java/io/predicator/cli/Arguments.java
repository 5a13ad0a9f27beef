package io.predicator.cli;

import io.predicator.Signature;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.util.Objects.requireNonNull;

/**
 * Converts command-line arguments to the Java values a downcall takes, and results back to text.
 *
 * <p>{@code i1} takes {@code true}, {@code false}, {@code 1} or {@code 0}; {@code i8} to {@code i64} take decimal
 * or {@code 0x} hexadecimal integers, optionally signed, in the signed or the unsigned range of their width;
 * {@code float} and {@code double} take decimal numbers; {@code ptr} takes a string, passed as a NUL-terminated
 * UTF-8 copy, or {@code null} for NULL.
 */
final class Arguments {
    /** The argument that stands for a NULL pointer. */
    static final String NULL = "null";

    private Arguments() {
    }

    /**
     * Converts every argument of a call.
     *
     * @param function the function's name, for messages
     * @param signature a callable signature whose parameter count matches the arguments
     * @param arguments the arguments as typed
     * @param allocator where strings for {@code ptr} parameters are copied; must outlive the call
     * @return the values, of the carrier types of the signature's descriptor
     * @throws IllegalArgumentException naming the first argument that does not convert
     */
    static List<Object> convert(String function, Signature signature, List<String> arguments,
                                SegmentAllocator allocator) {
        requireNonNull(function, "function is null");
        requireNonNull(signature, "signature is null");
        requireNonNull(arguments, "arguments is null");
        requireNonNull(allocator, "allocator is null");
        List<String> types = signature.parameterTypes();
        if (types.size() != arguments.size()) {
            throw new IllegalArgumentException(arityMessage(function, signature, arguments.size()));
        }
        List<Object> values = new ArrayList<>(types.size());
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            String argument = arguments.get(i);
            try {
                values.add(type.equals("ptr") ? pointer(argument, allocator) : value(type, argument));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("argument " + (i + 1) + " of '" + function + "' (" + type + "): "
                        + e.getMessage(), e);
            }
        }
        return values;
    }

    /**
     * Describes a call with the wrong number of arguments.
     */
    static String arityMessage(String function, Signature signature, int given) {
        int expected = signature.parameterTypes().size();
        return "'" + function + "' takes " + expected + " argument" + (expected == 1 ? "" : "s") + ", "
                + signature + ", but " + given + (given == 1 ? " was" : " were") + " given";
    }

    /**
     * Converts one argument of a scalar type.
     *
     * @param type an LLVM type name other than {@code ptr} and {@code void}
     * @param text the argument
     * @return a {@code Boolean}, {@code Byte}, {@code Short}, {@code Integer}, {@code Long}, {@code Float} or
     *         {@code Double}
     * @throws IllegalArgumentException if the text is not a value of the type
     */
    static Object value(String type, String text) {
        requireNonNull(type, "type is null");
        requireNonNull(text, "text is null");
        return switch (type) {
            case "i1" -> bool(text);
            case "i8" -> (byte) integer(text, 8);
            case "i16" -> (short) integer(text, 16);
            case "i32" -> (int) integer(text, 32);
            case "i64" -> integer(text, 64);
            case "float" -> floatValue(text);
            case "double" -> doubleValue(text);
            default -> throw new IllegalArgumentException("cannot pass a value of type " + type);
        };
    }

    /**
     * Converts a {@code ptr} argument: {@code null} is NULL, anything else a NUL-terminated UTF-8 copy.
     */
    static MemorySegment pointer(String text, SegmentAllocator allocator) {
        requireNonNull(text, "text is null");
        return text.equals(NULL) ? MemorySegment.NULL : allocator.allocateFrom(text);
    }

    /**
     * Formats a call's result: integers in decimal, pointers as a hexadecimal address, nothing for void.
     *
     * @param result what the method handle returned, {@code null} for void
     * @return the text to print, or {@code null} to print nothing
     */
    static String format(Object result) {
        return switch (result) {
            case null -> null;
            case MemorySegment segment -> "0x" + Long.toHexString(segment.address());
            default -> String.valueOf(result);
        };
    }

    private static boolean bool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new IllegalArgumentException("'" + text + "' is not a boolean: use true, false, 1 or 0");
        };
    }

    private static long integer(String text, int bits) {
        String digits = text.strip();
        boolean negative = digits.startsWith("-");
        if (negative || digits.startsWith("+")) {
            digits = digits.substring(1);
        }
        int radix = 10;
        if (digits.startsWith("0x") || digits.startsWith("0X")) {
            radix = 16;
            digits = digits.substring(2);
        }
        BigInteger value;
        try {
            if (digits.isEmpty() || digits.charAt(0) == '-' || digits.charAt(0) == '+') {
                throw new NumberFormatException();
            }
            value = new BigInteger(digits, radix);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an integer: use decimal or 0x hexadecimal");
        }
        if (negative) {
            value = value.negate();
        }
        BigInteger min = BigInteger.ONE.shiftLeft(bits - 1).negate();
        BigInteger max = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException("'" + text + "' does not fit in " + bits + " bits: use " + min
                    + " to " + max);
        }
        return value.longValue();
    }

    private static float floatValue(String text) {
        double value = doubleValue(text);
        float narrowed = (float) value;
        if (Float.isInfinite(narrowed) && !Double.isInfinite(value)) {
            throw new IllegalArgumentException("'" + text + "' is too large for a float");
        }
        return narrowed;
    }

    private static double doubleValue(String text) {
        String trimmed = text.strip();
        char last = trimmed.isEmpty() ? ' ' : trimmed.charAt(trimmed.length() - 1);
        try {
            // Java's own suffixes (1.5f, 2d) are not numbers on a command line.
            if ("fFdD".indexOf(last) >= 0) {
                throw new NumberFormatException();
            }
            return Double.parseDouble(trimmed);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a number");
        }
    }
}
