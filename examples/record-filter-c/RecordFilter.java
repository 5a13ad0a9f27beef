import io.predicator.JitContext;
import io.predicator.Plugin;
import io.predicator.toolchain.CompiledPlugin;
import io.predicator.toolchain.Toolchain;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Compiles filter.c, loads it and filters 1,000,000 records that live in Java-owned native memory.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'cli/target/lib/*' examples/record-filter-c/RecordFilter.java
 * </pre>
 */
public class RecordFilter {
    static final StructLayout RECORD = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("id"),
            ValueLayout.JAVA_INT.withName("value"),
            ValueLayout.JAVA_LONG.withName("timestamp"));
    static final VarHandle ID = RECORD.arrayElementVarHandle(MemoryLayout.PathElement.groupElement("id"));
    static final VarHandle VALUE = RECORD.arrayElementVarHandle(MemoryLayout.PathElement.groupElement("value"));

    public static void main(String... args) throws Throwable {
        Path source = Path.of(args.length > 0 ? args[0] : "examples/record-filter-c/filter.c");
        int count = 1_000_000;
        int threshold = 900;
        CompiledPlugin compiled = Toolchain.detect().compile(source);
        try (JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(compiled.source());
             Arena arena = Arena.ofConfined()) {
            MethodHandle filter = plugin.function("filter_above", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            MemorySegment in = arena.allocate(RECORD, count);
            MemorySegment out = arena.allocate(RECORD, count);
            for (int i = 0; i < count; i++) {
                ID.set(in, 0L, (long) i, i);
                VALUE.set(in, 0L, (long) i, i % 1000);
            }
            long kept = (long) filter.invokeExact(in, (long) count, threshold, out);
            int firstId = (int) ID.get(out, 0L, 0L);
            int firstValue = (int) VALUE.get(out, 0L, 0L);
            System.out.println("kept " + kept + " of " + count + " records; first: id " + firstId + ", value " + firstValue);
        }
    }
}
