package io.predicator.orc.internal.runtime;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Where every OS thread keeps the runtime's thread record inside glibc's own record of the thread, so that a
 * trampoline reads it with two loads relative to the thread pointer ({@code %fs}) rather than a call to
 * {@code pthread_getspecific}, which cost as much as the rest of a trampoline.
 *
 * <p>glibc keeps the value of a pthread key below 32 as a pair {sequence, value} at a fixed offset in
 * {@code struct pthread}, and the value counts only while the sequence is the key's: a deleted key leaves its
 * values behind. The runtime finds the offset when it installs ({@code find_thread_slot} in
 * {@code predicator_runtime.c}) by setting its key to two markers in turn and searching the installing thread's
 * record; when that fails (a C library laid out otherwise, a key number of 32 or more), there is no slot and
 * trampolines call {@code pthread_getspecific}.
 *
 * @param offset the value's offset from the thread pointer; the sequence is the 8 bytes before it
 * @param sequence the key's sequence number: a value beside another sequence is not this key's
 */
record ThreadSlot(long offset, long sequence) {
    /** Reads what the installed runtime found. */
    static Optional<ThreadSlot> of(RuntimeJit jit) {
        long offset = read(jit, "predicator_thread_slot");
        return offset < 8 ? Optional.empty() : Optional.of(new ThreadSlot(offset, read(jit, "predicator_thread_sequence")));
    }

    @SuppressWarnings("restricted") // a global of the runtime, 8 bytes, alive as long as the process
    private static long read(RuntimeJit jit, String global) {
        return MemorySegment.ofAddress(jit.lookup(global)).reinterpret(Long.BYTES).get(ValueLayout.JAVA_LONG, 0);
    }

    /** The IR that loads the calling thread's record into {@code %known}, or null if it has none yet. */
    String load() {
        return """
                  %%sequence = load i64, ptr addrspace(257) inttoptr (i64 %d to ptr addrspace(257)), align 8
                  %%value = load ptr, ptr addrspace(257) inttoptr (i64 %d to ptr addrspace(257)), align 8
                  %%ours = icmp eq i64 %%sequence, %d
                  %%known = select i1 %%ours, ptr %%value, ptr null
                """.formatted(offset - 8, offset, sequence);
    }
}
