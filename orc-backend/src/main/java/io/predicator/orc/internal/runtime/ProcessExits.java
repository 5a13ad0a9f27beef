package io.predicator.orc.internal.runtime;

import java.util.Map;

/**
 * The C library functions that would end the process, or the thread, and the runtime functions served in their
 * place to every plugin, whatever its resolver: each ends the plugin call with a {@code PluginFaultException}
 * instead ({@code ABORT}, {@code EXIT} or {@code PANIC}). A plugin's resolver is never asked for them.
 *
 * <p>Only calls from the plugin's own code are served: the C library's internal calls (a fortified function that
 * detects an overflow calls its own {@code abort}) raise {@code SIGABRT}, which the runtime's signal handler turns
 * into the same exception while the thread is in a plugin call.
 */
final class ProcessExits {
    /** Each C library symbol, mapped to the runtime's function served in its place. */
    static final Map<String, String> SERVED = Map.ofEntries(
            Map.entry("abort", "predicator_abort"),
            Map.entry("exit", "predicator_exit"),
            Map.entry("_exit", "predicator_exit_now"),
            Map.entry("_Exit", "predicator_exit_now"),
            Map.entry("quick_exit", "predicator_quick_exit"),
            Map.entry("pthread_exit", "predicator_pthread_exit"),
            Map.entry("__assert_fail", "predicator_assert_fail"),
            Map.entry("__stack_chk_fail", "predicator_stack_chk_fail"),
            Map.entry("__chk_fail", "predicator_chk_fail"),
            Map.entry("__fortify_fail", "predicator_fortify_fail"),
            Map.entry("predicator_panic", "predicator_panic"));

    private ProcessExits() {
    }
}
