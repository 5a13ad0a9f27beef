package io.predicator;

import java.util.List;

import static java.util.Objects.requireNonNull;

/**
 * What a module defines and what it needs, read without loading it: its exported functions and data, and the
 * symbols it references but does not define (which its resolver must provide).
 *
 * @param name the module source's name
 * @param format the module's format
 * @param functions exported functions, sorted by name
 * @param data exported data symbols, sorted
 * @param imports undefined symbols the module references, sorted; includes helpers the code generator emits
 *                (such as {@code memcpy})
 * @param inlineAssembly whether the module's IR contains inline assembly (always false for objects and archives,
 *                       whose machine code cannot be told apart)
 * @since 0.1
 */
public record ModuleInfo(String name, ModuleFormat format, List<ExportedFunction> functions, List<String> data,
                         List<String> imports, boolean inlineAssembly) {
    /**
     * Creates the record.
     */
    public ModuleInfo {
        requireNonNull(name, "name is null");
        requireNonNull(format, "format is null");
        functions = List.copyOf(functions);
        data = List.copyOf(data);
        imports = List.copyOf(imports);
    }
}
