package io.predicator.toolchain.internal;

import io.predicator.JitException;
import io.predicator.toolchain.spi.PluginCompiler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Finds plugin compilers through {@link ServiceLoader} and merges them with explicitly registered ones; the only
 * place that does discovery.
 */
public final class CompilerRegistry {
    private CompilerRegistry() {
    }

    /**
     * Returns the compilers to use, keyed by id.
     *
     * @param discover whether to add the compilers found through {@link ServiceLoader}
     * @param explicit compilers registered by hand; they replace discovered ones with the same id
     * @param loader the class loader to discover with
     * @return the compilers, discovered first, in a stable order
     * @throws JitException if two discovered or two explicit compilers share an id
     */
    public static Map<String, PluginCompiler> compilers(boolean discover, List<PluginCompiler> explicit,
                                                         ClassLoader loader) {
        Map<String, PluginCompiler> compilers = new LinkedHashMap<>();
        if (discover) {
            List<PluginCompiler> found = new ArrayList<>();
            ServiceLoader.load(PluginCompiler.class, loader).forEach(found::add);
            found.sort(java.util.Comparator.comparing(PluginCompiler::id));
            addAll(compilers, found, "found through ServiceLoader");
        }
        Map<String, PluginCompiler> registered = new LinkedHashMap<>();
        addAll(registered, explicit, "registered");
        compilers.putAll(registered);
        return compilers;
    }

    private static void addAll(Map<String, PluginCompiler> into, List<PluginCompiler> compilers, String how) {
        for (PluginCompiler compiler : compilers) {
            String id = compiler.id();
            if (id == null || id.isBlank()) {
                throw new JitException("Plugin compiler " + compiler.getClass().getName() + " has a blank id");
            }
            PluginCompiler previous = into.putIfAbsent(id, compiler);
            if (previous != null) {
                throw new JitException("Two plugin compilers with id '" + id + "' were " + how + ": "
                        + previous.getClass().getName() + " and " + compiler.getClass().getName()
                        + "; register only one of them");
            }
        }
    }
}
