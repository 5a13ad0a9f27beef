package io.predicator;

import java.util.Optional;

import static java.util.Objects.requireNonNull;

/**
 * A function a plugin defines and exports, with its signature where the module format carries types.
 *
 * @param name the symbol name
 * @param signature the declared signature; empty for objects and archives, which carry no types
 * @since 0.1
 */
public record ExportedFunction(String name, Optional<Signature> signature) {
    /**
     * Creates the record.
     */
    public ExportedFunction {
        requireNonNull(name, "name is null");
        requireNonNull(signature, "signature is null");
    }

    @Override
    public String toString() {
        return signature.map(value -> value.returnType() + " " + name + "(" + String.join(", ", value.parameterTypes())
                        + (value.variadic() ? (value.parameterTypes().isEmpty() ? "..." : ", ...") : "") + ")")
                .orElse(name + " (signature unknown)");
    }
}
