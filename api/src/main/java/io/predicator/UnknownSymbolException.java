package io.predicator;

import java.io.Serial;
import java.util.Collection;

/**
 * Thrown when a plugin is asked for a function or data symbol that it does not export.
 *
 * @since 0.1
 */
public class UnknownSymbolException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String symbol;

    /**
     * Creates the exception.
     *
     * @param pluginName the plugin that was asked
     * @param symbol the symbol it does not export
     * @param exported what it does export, to help spot a typo
     */
    public UnknownSymbolException(String pluginName, String symbol, Collection<String> exported) {
        super("Plugin '" + pluginName + "' does not export '" + symbol + "'; it exports "
                + (exported.isEmpty() ? "nothing" : exported.stream().sorted().toList()));
        this.symbol = symbol;
    }

    /**
     * Returns the symbol that was asked for.
     *
     * @return the symbol name
     */
    public String symbol() {
        return symbol;
    }
}
