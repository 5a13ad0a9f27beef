package io.predicator.orc.internal.runtime;

import io.predicator.ConfigurationException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the address ranges of the JVM's own code: its code cache (compiled Java code, the interpreter, the stubs,
 * FFM's upcall stubs) and {@code libjvm.so}. A fault at such an address belongs to the JVM even on a thread inside
 * a plugin call, for example an implicit null check in the Java code of a host function the plugin called.
 *
 * <p>The code cache's bounds come from HotSpot's {@code gHotSpotVMStructs} table, the interface that HotSpot
 * exports for serviceability agents and profilers; {@code libjvm.so}'s executable mappings from
 * {@code /proc/self/maps}. Both are read once, when the runtime is installed: neither moves while the JVM runs.
 */
final class JvmCode {
    /** One range of code, {@code [start, end)}. */
    record Range(long start, long end) {
    }

    private JvmCode() {
    }

    /**
     * Returns the ranges of the JVM's code.
     *
     * @return at least the code cache and libjvm's text
     * @throws ConfigurationException if they cannot be found: faults could not be told apart from the JVM's own
     */
    static List<Range> ranges() {
        List<Range> ranges = new ArrayList<>();
        Path libjvm = null;
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.ISO_8859_1)) {
                String[] fields = line.trim().split("\\s+", 6);
                if (fields.length == 6 && fields[5].endsWith("/libjvm.so") && fields[1].contains("x")) {
                    String[] bounds = fields[0].split("-");
                    ranges.add(new Range(Long.parseUnsignedLong(bounds[0], 16), Long.parseUnsignedLong(bounds[1], 16)));
                    libjvm = Path.of(fields[5]);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException("Cannot contain plugin faults: /proc/self/maps is not readable (" + e
                    + "); Predicator's fault containment needs Linux");
        }
        if (libjvm == null) {
            throw new ConfigurationException("Cannot contain plugin faults: this JVM has no libjvm.so mapped; "
                    + "Predicator's fault containment needs HotSpot");
        }
        ranges.add(codeCache(libjvm));
        return List.copyOf(ranges);
    }

    /** Reads {@code CodeCache::_low_bound} and {@code _high_bound} through HotSpot's exported VM structure table. */
    private static Range codeCache(Path libjvm) {
        SymbolLookup jvm = SymbolLookup.libraryLookup(libjvm, Arena.global());
        MemorySegment entries = pointer(jvm, "gHotSpotVMStructs");
        long typeName = number(jvm, "gHotSpotVMStructEntryTypeNameOffset");
        long fieldName = number(jvm, "gHotSpotVMStructEntryFieldNameOffset");
        long isStatic = number(jvm, "gHotSpotVMStructEntryIsStaticOffset");
        long address = number(jvm, "gHotSpotVMStructEntryAddressOffset");
        long stride = number(jvm, "gHotSpotVMStructEntryArrayStride");
        long low = 0;
        long high = 0;
        for (long entry = 0; ; entry += stride) {
            MemorySegment type = entries.get(ValueLayout.ADDRESS, entry + typeName);
            if (type.equals(MemorySegment.NULL)) {
                break;
            }
            if (!"CodeCache".equals(string(type)) || entries.get(ValueLayout.JAVA_INT, entry + isStatic) == 0) {
                continue;
            }
            String field = string(entries.get(ValueLayout.ADDRESS, entry + fieldName));
            MemorySegment variable = entries.get(ValueLayout.ADDRESS, entry + address).reinterpret(8);
            if (field.equals("_low_bound")) {
                low = variable.get(ValueLayout.JAVA_LONG, 0);
            } else if (field.equals("_high_bound")) {
                high = variable.get(ValueLayout.JAVA_LONG, 0);
            }
        }
        if (low == 0 || Long.compareUnsigned(high, low) <= 0) {
            throw new ConfigurationException("Cannot contain plugin faults: the JVM's code cache bounds are not in "
                    + "its VM structure table (gHotSpotVMStructs)");
        }
        return new Range(low, high);
    }

    private static MemorySegment pointer(SymbolLookup jvm, String symbol) {
        return symbol(jvm, symbol).reinterpret(8).get(ValueLayout.ADDRESS, 0).reinterpret(Long.MAX_VALUE);
    }

    private static long number(SymbolLookup jvm, String symbol) {
        return symbol(jvm, symbol).reinterpret(8).get(ValueLayout.JAVA_LONG, 0);
    }

    private static MemorySegment symbol(SymbolLookup jvm, String symbol) {
        return jvm.find(symbol).orElseThrow(() -> new ConfigurationException("Cannot contain plugin faults: this "
                + "JVM's libjvm.so does not export " + symbol));
    }

    private static String string(MemorySegment text) {
        return text.reinterpret(256).getString(0, StandardCharsets.ISO_8859_1);
    }
}
