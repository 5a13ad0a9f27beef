package io.predicator.orc.internal.pipeline;

import io.predicator.ResolverException;
import io.predicator.UnresolvedSymbolsException;
import io.predicator.spi.SymbolResolver;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Stage "resolve": the symbols a link unit needs become addresses, asked of the plugin's resolver all at once, so
 * that a failure names every missing symbol. A runtime-linking stage (a per-plugin runtime module) would answer
 * some symbols before the resolver does.
 */
public final class ResolveStage {
    /** Creates the stage; it has no state. */
    public ResolveStage() {
    }

    /**
     * Resolves imports.
     *
     * @param pluginName for messages
     * @param firstUse the exported symbol whose first use compiled the code that needs the imports, or null while
     *        loading
     * @param imports each symbol mapped to whether it may stay unresolved
     * @param resolver the plugin's resolver
     * @return the address of every symbol the resolver provides, in the imports' order
     * @throws UnresolvedSymbolsException naming every symbol that must be resolved and is not
     * @throws ResolverException if the resolver failed or broke its contract
     */
    public Map<String, Long> apply(String pluginName, String firstUse, Map<String, Boolean> imports,
                                   SymbolResolver resolver) {
        Map<String, Long> addresses = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        String resolverId = resolverId(resolver);
        String during = firstUse == null ? "while loading plugin '" + pluginName + "'"
                : "while compiling '" + firstUse + "' of plugin '" + pluginName + "' on its first use";
        for (Map.Entry<String, Boolean> entry : imports.entrySet()) {
            String symbol = entry.getKey();
            Optional<MemorySegment> answer;
            try {
                answer = resolver.resolve(symbol);
            } catch (RuntimeException | Error e) {
                throw new ResolverException("Resolver '" + resolverId + "' failed on symbol '" + symbol
                        + "' " + during + ": " + e, e);
            }
            if (answer == null) {
                throw new ResolverException("Resolver '" + resolverId + "' returned null instead of an Optional for "
                        + "symbol '" + symbol + "' " + during, null);
            }
            if (answer.isPresent()) {
                if (answer.get().address() == 0) {
                    throw new ResolverException("Resolver '" + resolverId + "' resolved symbol '" + symbol
                            + "' to NULL " + during + "; return empty for symbols it "
                            + "does not provide", null);
                }
                addresses.put(symbol, answer.get().address());
            } else if (!entry.getValue()) {
                missing.add(symbol);
            }
        }
        if (!missing.isEmpty()) {
            throw new UnresolvedSymbolsException(pluginName, missing, consultedIds(resolver));
        }
        return addresses;
    }

    /**
     * Returns the ids of the resolvers a resolver consults, for messages and events; never throws.
     *
     * @param resolver the resolver
     * @return its {@code consultedIds()}, or its id if that fails
     */
    public static List<String> consultedIds(SymbolResolver resolver) {
        try {
            return List.copyOf(resolver.consultedIds());
        } catch (RuntimeException e) {
            return List.of(resolverId(resolver));
        }
    }

    private static String resolverId(SymbolResolver resolver) {
        try {
            return resolver.id();
        } catch (RuntimeException e) {
            return resolver.getClass().getName();
        }
    }
}
