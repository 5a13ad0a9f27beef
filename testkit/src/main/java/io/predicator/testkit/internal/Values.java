package io.predicator.testkit.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Converts the Java values a {@link io.predicator.testkit.SampleSymbol} is declared with to the carriers of a
 * downcall, and compares results.
 */
public final class Values {
    private Values() {
    }

    /** Fails early, at declaration, if a value cannot be passed as a parameter of the LLVM type. */
    public static void checkArgument(String sample, String type, Object value) {
        if (!fits(type, value, true)) {
            throw new IllegalArgumentException("sample '" + sample + "': " + describe(value) + " cannot be passed as "
                    + type + "; " + accepted(type, true));
        }
    }

    /** Fails early, at declaration, if a value cannot be compared with a result of the LLVM type. */
    public static void checkResult(String sample, String type, Object value) {
        if (!fits(type, value, false)) {
            throw new IllegalArgumentException("sample '" + sample + "': " + describe(value) + " cannot be an expected "
                    + type + " result; " + accepted(type, false));
        }
    }

    /** Converts a declared argument to the carrier the downcall of that parameter type takes. */
    public static Object toCarrier(String type, Object value, Arena arena) {
        return switch (type) {
            case "ptr" -> switch (value) {
                case null -> MemorySegment.NULL;
                case MemorySegment segment -> segment;
                case String text -> arena.allocateFrom(text);
                case byte[] bytes -> arena.allocateFrom(ValueLayout.JAVA_BYTE, bytes);
                default -> throw new IllegalArgumentException(describe(value) + " is not a pointer");
            };
            case "i64" -> ((Number) value).longValue();
            case "i32" -> ((Number) value).intValue();
            case "i16" -> value instanceof Character c ? (short) c.charValue() : ((Number) value).shortValue();
            case "i8" -> ((Number) value).byteValue();
            case "double" -> ((Number) value).doubleValue();
            case "float" -> ((Number) value).floatValue();
            case "i1" -> (Boolean) value;
            default -> throw new IllegalArgumentException("type " + type + " cannot be called from Java");
        };
    }

    /** Returns whether a call's result equals the expected value declared for its LLVM return type. */
    @SuppressWarnings("restricted")
    public static boolean matches(String type, Object expected, Object actual) {
        return switch (type) {
            case "ptr" -> {
                MemorySegment result = (MemorySegment) actual;
                yield switch (expected) {
                    case null -> result.address() == 0;
                    case MemorySegment segment -> segment.address() == result.address();
                    case String text -> result.address() != 0
                            && result.reinterpret(Long.MAX_VALUE).getString(0).equals(text);
                    default -> false;
                };
            }
            case "double" -> Double.compare(((Number) expected).doubleValue(), (Double) actual) == 0;
            case "float" -> Float.compare(((Number) expected).floatValue(), (Float) actual) == 0;
            case "i1" -> expected.equals(actual);
            case "i16" -> toCarrier(type, expected, null).equals(actual instanceof Character c ? (short) c.charValue() : actual);
            default -> toCarrier(type, expected, null).equals(actual);
        };
    }

    /** Describes a value for messages: strings quoted, byte arrays in hexadecimal, addresses in hexadecimal. */
    public static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case String text -> "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\0", "\\0")
                    .replace("\n", "\\n") + "\"";
            case byte[] bytes -> "bytes[" + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(bytes.length, 32))
                    + (bytes.length > 32 ? " … (" + bytes.length + " bytes)" : "") + "]";
            case MemorySegment segment -> "0x" + Long.toHexString(segment.address());
            case Long number -> number + "L";
            case Float number -> number + "f";
            case Character character -> "'" + character + "'";
            case List<?> list -> list.stream().map(Values::describe).collect(Collectors.joining(", ", "[", "]"));
            default -> value.toString();
        };
    }

    private static boolean fits(String type, Object value, boolean argument) {
        return switch (type) {
            case "ptr" -> value == null || value instanceof MemorySegment
                    || (value instanceof String || value instanceof byte[]) && (argument || value instanceof String);
            case "i64" -> value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte;
            case "i32" -> value instanceof Integer || value instanceof Short || value instanceof Byte;
            case "i16" -> value instanceof Short || value instanceof Character || value instanceof Byte;
            case "i8" -> value instanceof Byte;
            case "double" -> value instanceof Double || value instanceof Float;
            case "float" -> value instanceof Float;
            case "i1" -> value instanceof Boolean;
            default -> false;
        };
    }

    private static String accepted(String type, boolean argument) {
        return "use " + switch (type) {
            case "ptr" -> argument ? "a MemorySegment, a String, a byte[] or null" : "a MemorySegment, a String or null";
            case "i64" -> "a Long (5L) or a smaller integer";
            case "i32" -> "an Integer or a smaller integer";
            case "i16" -> "a Short or a Character";
            case "i8" -> "a Byte ((byte) 5)";
            case "double" -> "a Double";
            case "float" -> "a Float (1.5f)";
            case "i1" -> "a Boolean";
            default -> "a type Java can call";
        };
    }
}
