package io.predicator.orc.internal.runtime;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 *   %block = alloca [4128 x i8]; %frame = %block + 4096              ; a gap below the frame
 *   %thread = this thread's record (see ThreadSlot); on the thread's first call, the same body in a cold copy
 *             that attaches the thread first
 *   %thread->report = %report, if another Java thread's was there
 *   %report->started = predicator_clock; %report->deadline = clock + %report->timeout, or 0 (see body)
 *   %frame = {rsp, rbp, &faulted, %thread->current}; %thread->current = %frame
 *   %result = call i32 %target(i32 %a0, i32 %a1)
 *   %thread->current = %frame->previous
 *   ret i32 %result
 * faulted:                                                         ; where a fault resumes
 *   ret i32 0
 * }
 * }</pre>
 * The thread's first call goes through the cold copy so that the hot body makes no call before the plugin's: its
 * arguments then stay in their registers, and the trampoline saves (pushes) no more than one register.
 * Should a thread's record be impossible to allocate, the call runs uncontained rather than not at all.
 */
final class Trampolines {
    /**
     * Stack the trampoline leaves unused between its frame record and the plugin's frames, so that a plugin that
     * writes a little past the end of a stack buffer (a {@code strcpy} into {@code char[8]}) overwrites scratch
     * space rather than the saved registers that take the thread back to Java. The stack protector reports such a
     * write before the function returns; without the gap, the report would resume with clobbered registers. The
     * record sits at the top of one fixed allocation of this size plus the record's, so whatever the frame's other
     * slots are and wherever they are placed, an overflow from below crosses the whole gap before it reaches the
     * record or the registers saved above it (a dynamic allocation would guarantee the same at the cost of a frame
     * pointer and a stack adjustment on every call).
     */
    static final int GUARD_BYTES = 4096;
    /** The size of {@code struct frame} in {@code predicator_runtime.c}. */
    private static final int FRAME_BYTES = 32;

    private final RuntimeJit jit;
    private final Optional<ThreadSlot> slot;
    /** The address of {@code predicator_clock}, a constant in the trampolines' code: no load of its address. */
    private final long clock;
    private final Map<FunctionDescriptor, Long> addresses = new ConcurrentHashMap<>();
    /** Names are unique per process: every {@code Trampolines} of a runtime JIT defines its functions in it. */
    private static final AtomicInteger NAMES = new AtomicInteger();

    Trampolines(RuntimeJit jit, Optional<ThreadSlot> slot) {
        this.jit = jit;
        this.slot = slot;
        this.clock = jit.lookup("predicator_clock");
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
                String name = "predicator_trampoline_" + NAMES.incrementAndGet();
                jit.add(name, ir(name, key, slot, clock).getBytes(StandardCharsets.UTF_8));
                return jit.lookup(name);
            });
        }
    }

    /**
     * Returns the trampoline's IR.
     *
     * @param slot where threads keep their record, if the runtime found it; else the IR calls
     *             {@code pthread_getspecific}
     * @param clock the address of {@code predicator_clock}
     */
    static String ir(String name, FunctionDescriptor descriptor, Optional<ThreadSlot> slot, long clock) {
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
        String declared = String.join(", ", parameters);
        String attach = "call " + returns + " @" + name + ".attach(" + declared + ")";
        String lookUp = slot.map(ThreadSlot::load).orElse("""
                  %key = load i32, ptr @predicator_thread_key
                  %known = call ptr @pthread_getspecific(i32 %key)
                """);
        return """
                declare ptr @pthread_getspecific(i32)
                declare ptr @predicator_attach()
                @predicator_thread_key = external global i32

                define %1$s @%2$s(%3$s) {
                entry:
                  %%block = alloca [%4$d x i8], align 16
                  %%f = inttoptr i64 %%target to ptr
                %5$s%6$s  %%isknown = icmp ne ptr %%known, null
                  br i1 %%isknown, label %%enter, label %%attach, !prof !0
                attach:
                  %7$s
                enter:
                %8$s}

                define internal %1$s @%2$s.attach(%3$s) noinline cold {
                entry:
                  %%block = alloca [%4$d x i8], align 16
                  %%f = inttoptr i64 %%target to ptr
                %5$s  %%attached = call ptr @predicator_attach()
                  %%isattached = icmp ne ptr %%attached, null
                  br i1 %%isattached, label %%enter, label %%bare
                bare:
                  %9$s
                enter:
                %10$s}

                !0 = !{!"branch_weights", i32 1048576, i32 1}
                !1 = !{!"branch_weights", i32 1, i32 1024}
                """.formatted(returns, name, declared, GUARD_BYTES + FRAME_BYTES, prepare, lookUp,
                returning(returnType, attach, "%ra"), body("%known", returnType, call, zero, clock),
                returning(returnType, call, "%rb"), body("%attached", returnType, call, zero, clock));
    }

    /**
     * The contained call, given the thread's record: notes the Java thread's report in the record if another's is
     * there; starts the call's clock and deadline in the report (the clock plus the timeout Java noted there, or 0;
     * a nested call keeps its outer call's deadline when that is earlier, or is the interrupt sentinel, so that it
     * never extends the outer call's time); writes the frame (struct frame: stack pointer, frame pointer and resume address, by one inline assembly
     * block that may branch to {@code faulted}; the outer frame only when the call is nested) and links it as the
     * thread's current frame during the call. The signal handler resumes at {@code faulted} with the stack and frame
     * pointers restored; it returns zero through the epilogue, which restores the caller's callee-saved registers
     * from the trampoline's stack. The assembly block claims to clobber them so that the prologue saves them all:
     * the plugin may have changed any of them when it faulted. A call costs a dozen stores, pushes included.
     */
    private static String body(String thread, String returnType, String call, String zero, long clock) {
        return """
                  %%frame = getelementptr inbounds i8, ptr %%block, i64 %1$d
                  %%reportp = getelementptr inbounds i8, ptr %2$s, i64 8
                  %%noted = load i64, ptr %%reportp
                  %%same = icmp eq i64 %%noted, %%report
                  br i1 %%same, label %%record, label %%note, !prof !0
                note:
                  store i64 %%report, ptr %%reportp
                  br label %%record
                record:
                  %%previous = load i64, ptr %2$s
                  %%nested = icmp ne i64 %%previous, 0
                  %%rp = inttoptr i64 %%report to ptr
                  %%timeoutp = getelementptr inbounds i8, ptr %%rp, i64 48
                  %%timeout = load i64, ptr %%timeoutp
                  %%clock = load i64, ptr inttoptr (i64 %6$d to ptr)
                  %%startedp = getelementptr inbounds i8, ptr %%rp, i64 40
                  store i64 %%clock, ptr %%startedp
                  %%timed = icmp ne i64 %%timeout, 0
                  %%due = add i64 %%clock, %%timeout
                  %%own = select i1 %%timed, i64 %%due, i64 0
                  %%deadlinep = getelementptr inbounds i8, ptr %%rp, i64 32
                  br i1 %%nested, label %%outer, label %%save, !prof !1
                outer:
                  %%previousp = getelementptr inbounds i8, ptr %%frame, i64 24
                  store i64 %%previous, ptr %%previousp
                  %%outerdeadline = load i64, ptr %%deadlinep
                  %%hasouter = icmp ne i64 %%outerdeadline, 0
                  %%untimed = icmp eq i64 %%own, 0
                  %%earlier = icmp ult i64 %%outerdeadline, %%own
                  %%either = or i1 %%untimed, %%earlier
                  %%keepouter = and i1 %%hasouter, %%either
                  %%inner = select i1 %%keepouter, i64 %%outerdeadline, i64 %%own
                  br label %%save
                save:
                  %%deadline = phi i64 [ %%own, %%record ], [ %%inner, %%outer ]
                  store i64 %%deadline, ptr %%deadlinep
                  callbr void asm sideeffect "movq %%rsp, 0($0)\\0A\\09movq %%rbp, 8($0)\\0A\\09leaq ${1:l}(%%rip), %%rax\\0A\\09movq %%rax, 16($0)", "r,!i,~{rax},~{rbx},~{r12},~{r13},~{r14},~{r15},~{memory}"(ptr %%frame)
                      to label %%call [label %%faulted]
                call:
                  %%address = ptrtoint ptr %%frame to i64
                  %%tag = zext i1 %%nested to i64
                  %%link = or i64 %%address, %%tag
                  store i64 %%link, ptr %2$s
                  %3$s
                  store i64 %%previous, ptr %2$s
                  %4$s
                faulted:
                  %5$s
                """.formatted(GUARD_BYTES, thread, returnType.equals("void") ? call : "%r = " + call,
                returnType.equals("void") ? "ret void" : "ret " + returnType + " %r", zero, clock);
    }

    /** A call and the return of its result, named {@code value}. */
    private static String returning(String returnType, String call, String value) {
        return returnType.equals("void") ? call + "\n  ret void"
                : value + " = " + call + "\n  ret " + returnType + " " + value;
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
