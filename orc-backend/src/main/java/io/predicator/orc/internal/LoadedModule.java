package io.predicator.orc.internal;

import io.predicator.ExportedFunction;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.Signature;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A module made ready for linking: its validated objects, what they define and what they need, and the LLVM
 * signatures of its functions where the format carries them.
 */
final class LoadedModule {
    /** Defined by the linker itself, never by a resolver. */
    private static final Set<String> LINKER_SYMBOLS = Set.of("_GLOBAL_OFFSET_TABLE_");

    private final String name;
    private final ModuleFormat format;
    private final List<ElfObject> objects;
    private final Map<String, ElfObject.Definition> definitions;
    private final Map<String, Boolean> imports;
    private final Map<String, Signature> signatures;
    private final boolean inlineAssembly;

    LoadedModule(String name, ModuleFormat format, List<ElfObject> objects, Map<String, Signature> signatures,
                 boolean inlineAssembly) {
        this.name = name;
        this.inlineAssembly = inlineAssembly;
        this.format = format;
        this.objects = List.copyOf(objects);
        this.signatures = Map.copyOf(signatures);
        Map<String, ElfObject.Definition> defined = new TreeMap<>();
        Map<String, String> strongOwner = new LinkedHashMap<>();
        for (ElfObject object : objects) {
            for (ElfObject.Definition definition : object.definitions()) {
                if (!definition.weak()) {
                    String previous = strongOwner.putIfAbsent(definition.name(), object.name());
                    if (previous != null) {
                        throw new MalformedModuleException(name, "symbol '" + definition.name() + "' is defined by both "
                                + previous + " and " + object.name());
                    }
                    defined.put(definition.name(), definition);
                } else {
                    defined.putIfAbsent(definition.name(), definition);
                }
            }
        }
        Map<String, ElfObject.Definition> exported = new TreeMap<>();
        defined.forEach((symbol, definition) -> {
            if (definition.exported()) {
                exported.put(symbol, definition);
            }
        });
        this.definitions = exported;
        Map<String, Boolean> needed = new TreeMap<>();
        for (ElfObject object : objects) {
            for (ElfObject.Reference reference : object.references()) {
                if (!defined.containsKey(reference.name()) && !LINKER_SYMBOLS.contains(reference.name())) {
                    // A symbol is weak only if every reference to it is weak.
                    needed.merge(reference.name(), reference.weak(), Boolean::logicalAnd);
                }
            }
        }
        this.imports = needed;
    }

    String name() {
        return name;
    }

    long codeBytes() {
        return objects.stream().mapToLong(ElfObject::codeBytes).sum();
    }

    long dataBytes() {
        return objects.stream().mapToLong(ElfObject::dataBytes).sum();
    }

    ModuleFormat format() {
        return format;
    }

    List<ElfObject> objects() {
        return objects;
    }

    Map<String, ElfObject.Definition> definitions() {
        return definitions;
    }

    /** Undefined symbols, each mapped to whether every reference to it is weak (so it may stay unresolved). */
    Map<String, Boolean> imports() {
        return imports;
    }

    Optional<Signature> signature(String symbol) {
        return Optional.ofNullable(signatures.get(symbol));
    }

    List<String> exportNames() {
        return new ArrayList<>(definitions.keySet());
    }

    List<ExportedFunction> functions() {
        List<ExportedFunction> functions = new ArrayList<>();
        for (ElfObject.Definition definition : definitions.values()) {
            if (definition.function()) {
                functions.add(new ExportedFunction(definition.name(), signature(definition.name())));
            }
        }
        return List.copyOf(functions);
    }

    ModuleInfo info() {
        Set<String> data = new TreeSet<>();
        for (ElfObject.Definition definition : definitions.values()) {
            if (!definition.function()) {
                data.add(definition.name());
            }
        }
        return new ModuleInfo(name, format, functions(), List.copyOf(data), List.copyOf(imports.keySet()),
                inlineAssembly);
    }
}
