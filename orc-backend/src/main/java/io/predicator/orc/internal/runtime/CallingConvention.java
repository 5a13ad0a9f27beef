package io.predicator.orc.internal.runtime;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.UnionLayout;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * How the System V x86-64 calling convention passes a {@code java.lang.foreign} layout, written as the LLVM IR
 * types that make LLVM pass it the same way: what a trampoline declares so that it receives exactly the registers
 * and stack slots FFM passes, and what it passes on so that the plugin's function receives what FFM would have
 * passed it directly.
 *
 * <p>Scalars map to one IR type, with the extension attribute C compilers rely on for small integers. A structure
 * or union of at most 16 bytes travels in one or two registers, one per eightbyte, general-purpose if the eightbyte
 * holds an integer and SSE otherwise, as long as enough registers of each class are left; every other one travels
 * in memory on the stack ({@code byval}). This is the classification FFM's own System V linker makes.
 */
final class CallingConvention {
    /** General-purpose and SSE argument registers. */
    static final int INTEGER_REGISTERS = 6;
    static final int SSE_REGISTERS = 8;

    /** A scalar argument or result: its IR type and attributes. */
    record Scalar(String type, String attributes) {
    }

    /**
     * How an aggregate argument travels.
     *
     * @param size its size in bytes
     * @param alignment its alignment
     * @param eightbytes the IR type of each eightbyte if it travels in registers
     */
    record Aggregate(long size, long alignment, List<String> eightbytes) {
        int integerRegisters() {
            return (int) eightbytes.stream().filter(type -> type.startsWith("i")).count();
        }

        int sseRegisters() {
            return eightbytes.size() - integerRegisters();
        }

        boolean fitsRegisters() {
            return !eightbytes.isEmpty();
        }

        String memoryType() {
            return "[" + size + " x i8]";
        }
    }

    /** The registers left while arguments are assigned, from the first to the last. */
    static final class Registers {
        private int integer;
        private int sse;

        Registers(int integer, int sse) {
            this.integer = integer;
            this.sse = sse;
        }

        /** Takes the registers of a scalar of this IR type. */
        void take(String type) {
            if (type.equals("float") || type.equals("double")) {
                sse--;
            } else {
                integer--;
            }
        }

        /** Takes an aggregate's registers and returns true, or returns false if it must travel in memory. */
        boolean take(Aggregate aggregate) {
            if (!aggregate.fitsRegisters() || aggregate.integerRegisters() > integer || aggregate.sseRegisters() > sse) {
                return false;
            }
            integer -= aggregate.integerRegisters();
            sse -= aggregate.sseRegisters();
            return true;
        }
    }

    private CallingConvention() {
    }

    /**
     * Returns the IR type of a scalar layout.
     *
     * @param layout a value or address layout
     * @return the type and its attributes
     */
    static Scalar scalar(ValueLayout layout) {
        if (layout instanceof AddressLayout) {
            return new Scalar("ptr", "");
        }
        Class<?> carrier = layout.carrier();
        if (carrier == boolean.class) {
            return new Scalar("i1", "zeroext");
        } else if (carrier == byte.class) {
            return new Scalar("i8", "signext");
        } else if (carrier == short.class) {
            return new Scalar("i16", "signext");
        } else if (carrier == char.class) {
            return new Scalar("i16", "zeroext");
        } else if (carrier == int.class) {
            return new Scalar("i32", "");
        } else if (carrier == long.class) {
            return new Scalar("i64", "");
        } else if (carrier == float.class) {
            return new Scalar("float", "");
        } else if (carrier == double.class) {
            return new Scalar("double", "");
        }
        throw new IllegalArgumentException("no C type for " + layout);
    }

    /**
     * Classifies a structure or union passed by value.
     *
     * @param layout the layout
     * @return how it travels when registers are left; its eightbytes are empty if it always travels in memory
     */
    static Aggregate aggregate(GroupLayout layout) {
        long size = layout.byteSize();
        long alignment = Math.max(8, layout.byteAlignment());
        if (size == 0 || size > 16) {
            return new Aggregate(size, alignment, List.of());
        }
        List<long[]> fields = new ArrayList<>(); // {offset, size, 1 if floating point}
        flatten(layout, 0, fields);
        List<String> eightbytes = new ArrayList<>();
        for (long start = 0; start < size; start += 8) {
            long end = Math.min(size, start + 8);
            boolean integer = false;
            int floats = 0;
            long floatBytes = 0;
            for (long[] field : fields) {
                if (field[0] >= end || field[0] + field[1] <= start) {
                    continue;
                }
                if (field[0] % field[1] != 0) {
                    return new Aggregate(size, alignment, List.of()); // unaligned: memory
                }
                if (field[2] == 0) {
                    integer = true;
                } else {
                    floats++;
                    floatBytes = Math.max(floatBytes, field[0] + field[1] - start);
                }
            }
            if (integer || floats == 0) {
                eightbytes.add("i" + 8 * (end - start));
            } else if (floatBytes <= 4) {
                eightbytes.add("float");
            } else if (floats == 1) {
                eightbytes.add("double");
            } else {
                eightbytes.add("<2 x float>");
            }
        }
        return new Aggregate(size, alignment, List.copyOf(eightbytes));
    }

    private static void flatten(MemoryLayout layout, long offset, List<long[]> fields) {
        switch (layout) {
            case StructLayout struct -> {
                long at = offset;
                for (MemoryLayout member : struct.memberLayouts()) {
                    flatten(member, at, fields);
                    at += member.byteSize();
                }
            }
            case UnionLayout union -> union.memberLayouts().forEach(member -> flatten(member, offset, fields));
            case SequenceLayout sequence -> {
                for (long i = 0; i < sequence.elementCount(); i++) {
                    flatten(sequence.elementLayout(), offset + i * sequence.elementLayout().byteSize(), fields);
                }
            }
            case PaddingLayout ignored -> {
            }
            case ValueLayout value -> fields.add(new long[] {offset, value.byteSize(),
                    value.carrier() == float.class || value.carrier() == double.class ? 1 : 0});
        }
    }
}
