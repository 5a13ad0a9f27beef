package io.predicator.orc.internal.pipeline;

import io.predicator.ExportedFunction;
import io.predicator.ModuleFormat;
import io.predicator.ModuleInfo;
import io.predicator.Signature;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The unit before linking, made by {@link LinkUnitStage}: a module's validated objects, what they define and what
 * they need, and the LLVM signatures of its functions where the format carries them. Immutable.
 */
public final class LinkUnit {
    /** Defined by the linker itself, never by a resolver. */
    private static final Set<String> LINKER_SYMBOLS = Set.of("_GLOBAL_OFFSET_TABLE_");

    private final String name;
    private final ModuleFormat format;
    private final List<ElfObject> objects;
    private final Map<String, ElfObject.Definition> definitions;
    private final Map<String, Boolean> imports;
    private final Set<String> calledOnly;
    private final Map<String, Signature> signatures;
    private final boolean inlineAssembly;

    LinkUnit(String name, ModuleFormat format, List<ElfObject> objects, Map<String, Signature> signatures,
             boolean inlineAssembly) {
        this.name = name;
        this.inlineAssembly = inlineAssembly;
        this.format = format;
        this.objects = List.copyOf(objects);
        this.signatures = Map.copyOf(signatures);
        Map<String, ElfObject.Definition> defined = new TreeMap<>();
        for (ElfObject object : objects) { // CheckStage.uniqueDefinitions has refused strong duplicates
            for (ElfObject.Definition definition : object.definitions()) {
                if (!definition.weak()) {
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
        Map<String, Boolean> called = new TreeMap<>();
        for (ElfObject object : objects) {
            for (ElfObject.Reference reference : object.references()) {
                if (!defined.containsKey(reference.name()) && !LINKER_SYMBOLS.contains(reference.name())) {
                    // A symbol is weak only if every reference to it is weak, and only called if every one calls.
                    needed.merge(reference.name(), reference.weak(), Boolean::logicalAnd);
                    called.merge(reference.name(), reference.callOnly(), Boolean::logicalAnd);
                }
            }
        }
        this.imports = needed;
        called.values().removeIf(onlyCalled -> !onlyCalled);
        this.calledOnly = Set.copyOf(called.keySet());
    }

    /** Returns the module's name, for messages. */
    public String name() {
        return name;
    }

    /** Returns the size of the executable sections. */
    public long codeBytes() {
        return objects.stream().mapToLong(ElfObject::codeBytes).sum();
    }

    /** Returns the size of the other loaded sections. */
    public long dataBytes() {
        return objects.stream().mapToLong(ElfObject::dataBytes).sum();
    }

    /** Returns the format of the module source. */
    public ModuleFormat format() {
        return format;
    }

    /** Returns the validated objects, in link order. */
    public List<ElfObject> objects() {
        return objects;
    }

    /** Returns the exported definitions, by name. */
    public Map<String, ElfObject.Definition> definitions() {
        return definitions;
    }

    /** Undefined symbols, each mapped to whether every reference to it is weak (so it may stay unresolved). */
    public Map<String, Boolean> imports() {
        return imports;
    }

    /** Returns the imports that every object only calls and none takes the address of: functions a gate can stand in for. */
    public Set<String> calledOnly() {
        return calledOnly;
    }

    /** Returns the LLVM signature of an exported function, if the format carries it. */
    public Optional<Signature> signature(String symbol) {
        return Optional.ofNullable(signatures.get(symbol));
    }

    /** Returns the names of the exported symbols, sorted. */
    public List<String> exportNames() {
        return new ArrayList<>(definitions.keySet());
    }

    /** Returns the exported functions with their signatures. */
    public List<ExportedFunction> functions() {
        List<ExportedFunction> functions = new ArrayList<>();
        for (ElfObject.Definition definition : definitions.values()) {
            if (definition.function()) {
                functions.add(new ExportedFunction(definition.name(), signature(definition.name())));
            }
        }
        return List.copyOf(functions);
    }

    /** Returns what {@code JitContext.inspect} reports of the module. */
    public ModuleInfo info() {
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
