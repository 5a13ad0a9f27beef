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
 * that a failure names every missing symbol. The symbols the plugin runtime serves in every plugin (the process
 * exits: {@code abort}, {@code exit}, {@code __assert_fail}, {@code predicator_panic} …) are answered first, and
 * the resolver is never asked for them, so no resolver can hand a plugin a way to end the process.
 */
public final class ResolveStage {
    private final Map<String, Long> served;

    /**
     * Creates the stage.
     *
     * @param served the symbols the runtime serves, with their addresses
     */
    public ResolveStage(Map<String, Long> served) {
        this.served = Map.copyOf(served);
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
        String during = firstUse == null ? "while loading plugin '" + pluginName + "'"
                : "while compiling '" + firstUse + "' of plugin '" + pluginName + "' on its first use";
        String resolverId = resolverId(resolver);
        if (resolverId == null) {
            // Messages, events and UnresolvedSymbolsException all name the resolver by its id.
            throw new ResolverException("Resolver " + resolver.getClass().getName() + " cannot be used " + during
                    + ": its id() returned null; SymbolResolver.id() must return a non-blank id", null);
        }
        for (Map.Entry<String, Boolean> entry : imports.entrySet()) {
            String symbol = entry.getKey();
            Long runtime = served.get(symbol);
            if (runtime != null) {
                addresses.put(symbol, runtime);
                continue;
            }
            Optional<MemorySegment> answer;
            try {
                answer = resolver.resolve(symbol);
            } catch (Throwable e) {
                // Throwable, not RuntimeException | Error: a resolver can throw a checked exception it does not
                // declare (a sneaky throw), or a Throwable that is neither, and the caller must get the same
                // typed failure either way.
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
     * @return its {@code consultedIds()}, or its id (its class name if it has none) if that fails
     */
    public static List<String> consultedIds(SymbolResolver resolver) {
        try {
            return List.copyOf(resolver.consultedIds());
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            String id = resolverId(resolver);
            return List.of(id == null ? resolver.getClass().getName() : id);
        }
    }

    /** Returns the resolver's id, or its class name if {@code id()} throws, or null if {@code id()} returns null. */
    private static String resolverId(SymbolResolver resolver) {
        try {
            return resolver.id();
        } catch (Error e) {
            throw e;
        } catch (Throwable e) {
            return resolver.getClass().getName();
        }
    }
}
