package io.predicator.orc.internal.runtime;

import java.util.Map;

/**
 * The checked memory functions that C compiled with {@code _FORTIFY_SOURCE} calls, served by the runtime to every
 * plugin, whatever its resolver: the compiler emits them on its own for plain {@code memcpy}, {@code memmove} and
 * {@code memset} calls into objects of known size, so they belong with the compiler helpers every resolver offers.
 * An overflowing copy ends the call with a {@code PluginFaultException} of kind {@code ABORT} that gives both sizes,
 * before anything is written.
 *
 * <p>The string variants ({@code __strcpy_chk} …) are left to the resolver, like the string functions themselves.
 */
final class FortifiedFunctions {
    /** Each C library symbol, mapped to the runtime's function served in its place. */
    static final Map<String, String> SERVED = Map.of(
            "__memcpy_chk", "predicator_memcpy_chk",
            "__memmove_chk", "predicator_memmove_chk",
            "__memset_chk", "predicator_memset_chk");

    private FortifiedFunctions() {
    }
}
