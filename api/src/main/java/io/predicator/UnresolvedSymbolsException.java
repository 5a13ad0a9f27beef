package io.predicator;

import java.io.Serial;
import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * Thrown when a plugin references symbols that it does not define and that its resolver does not provide.
 *
 * <p>The exception names <em>all</em> missing symbols at once, so one failed load tells the whole story.
 *
 * @since 0.1
 */
public class UnresolvedSymbolsException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String pluginName;
    private final List<String> symbols;
    private final List<String> resolverIds;

    /**
     * Creates the exception.
     *
     * @param pluginName the plugin that failed to load
     * @param symbols every symbol that could not be resolved, in a stable order
     * @param resolverIds the ids of the resolvers that were consulted
     */
    public UnresolvedSymbolsException(String pluginName, List<String> symbols, List<String> resolverIds) {
        super(message(pluginName, symbols, resolverIds));
        this.pluginName = pluginName;
        this.symbols = List.copyOf(symbols);
        this.resolverIds = List.copyOf(resolverIds);
    }

    private static String message(String pluginName, List<String> symbols, List<String> resolverIds) {
        requireNonNull(pluginName, "pluginName is null");
        return "Plugin '" + pluginName + "' references " + symbols.size() + " undefined symbol"
                + (symbols.size() == 1 ? "" : "s") + " that no resolver provides: " + String.join(", ", symbols)
                + " (resolvers consulted: " + (resolverIds.isEmpty() ? "none" : String.join(", ", resolverIds))
                + "). Define them in the plugin or load it with a resolver that provides them.";
    }

    /**
     * Returns the plugin that failed to load.
     *
     * @return the plugin name
     */
    public String pluginName() {
        return pluginName;
    }

    /**
     * Returns every symbol that could not be resolved.
     *
     * @return the missing symbols, sorted
     */
    public List<String> symbols() {
        return symbols;
    }

    /**
     * Returns the ids of the resolvers that were consulted.
     *
     * @return resolver ids, in the order they were asked
     */
    public List<String> resolverIds() {
        return resolverIds;
    }
}
