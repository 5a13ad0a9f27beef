package io.predicator.orc.internal.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The call trampolines: one per C signature in the process, shared by every plugin, generated as IR and compiled
 * into the runtime's JIT on first use (about a millisecond, once per signature per process).
 *
 * <p>A trampoline takes the caller's {@link FaultReport}, the address of the plugin function and the function's
 * own arguments; it enters a frame (see {@code predicator_runtime.c}), calls the function, leaves the frame and
 * returns the function's result. When the function faults, it returns zero and the report says why. For
 * {@code int add(int, int)}:
 * <pre>{@code
 * define i32 @predicator_trampoline_1(i64 %report, i64 %target, i32 %a0, i32 %a1) {
 *   %thread = pthread_getspecific(key), or predicator_attach() on the thread's first call
 *   if (predicator_enter(%frame, %thread, %report) != 0) return 0   ; returns twice
 *   %guard = alloca i8, i64 4096                                    ; a gap below the frame record
 *   %result = call i32 %target(i32 %a0, i32 %a1)
 *   %thread->current = %frame->previous
 *   ret i32 %result
 * }
 * }</pre>
 * Should a thread's record be impossible to allocate, the call runs uncontained rather than not at all.
 */
final class Trampolines {
    /**
     * Stack the trampoline leaves unused between its frame record and the plugin's frames, so that a plugin that
     * writes a little past the end of a stack buffer (a {@code strcpy} into {@code char[8]}) overwrites scratch
     * space rather than the saved registers that take the thread back to Java. The stack protector reports such a
     * write before the function returns; without the gap, the report would resume with clobbered registers. A
     * dynamic allocation, so it lies below every fixed slot of the frame.
     */
    static final int GUARD_BYTES = 4096;

    private final RuntimeJit jit;
    private final Map<FunctionDescriptor, Long> addresses = new ConcurrentHashMap<>();
    private final AtomicInteger names = new AtomicInteger();

    Trampolines(RuntimeJit jit) {
        this.jit = jit;
    }

    /**
     * Returns the trampoline for a C signature, compiling it on first use.
     *
     * @param descriptor the plugin function's signature
     * @return the trampoline's address; its signature is the descriptor's with two {@code long}s in front
     * @throws IllegalArgumentException if the function returns a structure by value, which calls do not support
     */
    long address(FunctionDescriptor descriptor) {
        Long known = addresses.get(descriptor);
        if (known != null) {
            return known;
        }
        synchronized (this) {
            return addresses.computeIfAbsent(descriptor, key -> {
                String name = "predicator_trampoline_" + names.incrementAndGet();
                jit.add(name, ir(name, key).getBytes(StandardCharsets.UTF_8));
                return jit.lookup(name);
            });
        }
    }

    /** Returns the trampoline's IR. */
    static String ir(String name, FunctionDescriptor descriptor) {
        CallingConvention.Scalar result = descriptor.returnLayout().map(Trampolines::result)
                .orElse(new CallingConvention.Scalar("void", ""));
        String returnType = result.type();
        String returns = (result.attributes().isEmpty() ? "" : result.attributes() + " ") + returnType;
        List<String> parameters = new ArrayList<>(List.of("i64 %report", "i64 %target"));
        List<String> arguments = new ArrayList<>();
        StringBuilder prepare = new StringBuilder();
        CallingConvention.Registers received = new CallingConvention.Registers(CallingConvention.INTEGER_REGISTERS - 2,
                CallingConvention.SSE_REGISTERS);
        CallingConvention.Registers passed = new CallingConvention.Registers(CallingConvention.INTEGER_REGISTERS,
                CallingConvention.SSE_REGISTERS);
        List<MemoryLayout> layouts = descriptor.argumentLayouts();
        for (int i = 0; i < layouts.size(); i++) {
            String value = "%a" + i;
            if (layouts.get(i) instanceof ValueLayout scalarLayout) {
                CallingConvention.Scalar scalar = CallingConvention.scalar(scalarLayout);
                String typed = scalar.type() + (scalar.attributes().isEmpty() ? "" : " " + scalar.attributes());
                parameters.add(typed + " " + value);
                arguments.add(typed + " " + value);
                received.take(scalar.type());
                passed.take(scalar.type());
            } else {
                aggregate(value, CallingConvention.aggregate((GroupLayout) layouts.get(i)), received, passed,
                        parameters, arguments, prepare);
            }
        }
        String call = "call " + returns + " %f(" + String.join(", ", arguments) + ")";
        String zero = switch (returnType) {
            case "void" -> "ret void";
            case "float", "double" -> "ret " + returnType + " 0.0";
            case "ptr" -> "ret ptr null";
            default -> "ret " + returnType + " 0";
        };
        return """
                declare ptr @pthread_getspecific(i32)
                declare ptr @predicator_attach()
                declare i32 @predicator_enter(ptr, ptr, ptr) returns_twice
                @predicator_thread_key = external global i32

                define %s @%s(%s) {
                entry:
                  %%frame = alloca [10 x i64], align 16
                  %%f = inttoptr i64 %%target to ptr
                %s  %%key = load i32, ptr @predicator_thread_key
                  %%known = call ptr @pthread_getspecific(i32 %%key)
                  %%isknown = icmp ne ptr %%known, null
                  br i1 %%isknown, label %%enter, label %%attach
                attach:
                  %%attached = call ptr @predicator_attach()
                  %%isattached = icmp ne ptr %%attached, null
                  br i1 %%isattached, label %%enter, label %%bare
                enter:
                  %%thread = phi ptr [ %%known, %%entry ], [ %%attached, %%attach ]
                  %%reportp = inttoptr i64 %%report to ptr
                  %%state = call i32 @predicator_enter(ptr %%frame, ptr %%thread, ptr %%reportp) returns_twice
                  %%first = icmp eq i32 %%state, 0
                  br i1 %%first, label %%call, label %%faulted
                call:
                  %%guard = alloca i8, i64 %d, align 16
                  store volatile i8 0, ptr %%guard
                  %s
                  %%previousp = getelementptr inbounds i8, ptr %%frame, i64 72
                  %%previous = load ptr, ptr %%previousp
                  store ptr %%previous, ptr %%thread
                  %s
                faulted:
                  %s
                bare:
                  %s
                  %s
                }
                """.formatted(returns, name, String.join(", ", parameters), prepare, GUARD_BYTES,
                returnType.equals("void") ? call : "%r = " + call,
                returnType.equals("void") ? "ret void" : "ret " + returnType + " %r",
                zero,
                returnType.equals("void") ? call : "%r2 = " + call,
                returnType.equals("void") ? "ret void" : "ret " + returnType + " %r2");
    }

    /**
     * Declares how an aggregate arrives and says how it is passed on: whichever way it arrives, it is put in
     * memory, then passed from there in registers or {@code byval}, as the function's own classification says.
     */
    private static void aggregate(String value, CallingConvention.Aggregate aggregate,
                                  CallingConvention.Registers received, CallingConvention.Registers passed,
                                  List<String> parameters, List<String> arguments, StringBuilder prepare) {
        String memory = value + "m";
        String byval = "ptr byval(" + aggregate.memoryType() + ") align " + aggregate.alignment();
        List<String> eightbytes = aggregate.eightbytes();
        if (received.take(aggregate)) {
            prepare.append("  ").append(memory).append(" = alloca [16 x i8], align 16\n");
            for (int part = 0; part < eightbytes.size(); part++) {
                String piece = value + "p" + part;
                parameters.add(eightbytes.get(part) + " " + piece);
                prepare.append("  ").append(memory).append(part).append(" = getelementptr inbounds i8, ptr ")
                        .append(memory).append(", i64 ").append(8 * part).append('\n')
                        .append("  store ").append(eightbytes.get(part)).append(' ').append(piece).append(", ptr ")
                        .append(memory).append(part).append(", align 8\n");
            }
        } else {
            parameters.add(byval + " " + memory);
        }
        if (passed.take(aggregate)) {
            for (int part = 0; part < eightbytes.size(); part++) {
                String loaded = value + "l" + part;
                prepare.append("  ").append(loaded).append("a = getelementptr inbounds i8, ptr ").append(memory)
                        .append(", i64 ").append(8 * part).append('\n')
                        .append("  ").append(loaded).append(" = load ").append(eightbytes.get(part))
                        .append(", ptr ").append(loaded).append("a, align 8\n");
                arguments.add(eightbytes.get(part) + " " + loaded);
            }
        } else {
            arguments.add(byval + " " + memory);
        }
    }

    private static CallingConvention.Scalar result(MemoryLayout layout) {
        if (!(layout instanceof ValueLayout value)) {
            throw new IllegalArgumentException("a plugin function that returns a structure by value (" + layout
                    + ") cannot be called: return it through a pointer argument");
        }
        return CallingConvention.scalar(value);
    }
}
