package io.predicator;

import java.io.Serial;

/**
 * Thrown when a function is requested with a signature that differs from the one the module declares.
 *
 * <p>The message shows both signatures. Calling a native function with the wrong arity or types reads garbage
 * registers or corrupts the stack, so Predicator refuses instead.
 *
 * @since 0.1
 */
public class SignatureMismatchException extends JitException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final Signature requested;
    private final Signature declared;

    /**
     * Creates the exception.
     *
     * @param pluginName the plugin that was asked
     * @param symbol the function
     * @param requested the signature the caller asked for
     * @param declared the signature the module declares
     */
    public SignatureMismatchException(String pluginName, String symbol, Signature requested, Signature declared) {
        super("Function '" + symbol + "' of plugin '" + pluginName + "' is declared as " + declared
                + " but was requested as " + requested + "; change the requested interface or descriptor to match");
        this.requested = requested;
        this.declared = declared;
    }

    /**
     * Returns the signature the caller asked for.
     *
     * @return the requested signature
     */
    public Signature requested() {
        return requested;
    }

    /**
     * Returns the signature the module declares.
     *
     * @return the declared signature
     */
    public Signature declared() {
        return declared;
    }
}
