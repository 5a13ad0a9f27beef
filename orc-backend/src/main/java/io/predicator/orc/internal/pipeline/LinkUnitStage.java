package io.predicator.orc.internal.pipeline;

import io.predicator.ModuleFormat;
import io.predicator.Signature;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stage "link unit": object bytes become the {@link LinkUnit} the linker takes. Every object is validated by
 * {@link CheckStage#object}, and a strong symbol two objects define is refused by
 * {@link CheckStage#uniqueDefinitions}; what the objects define and need is computed once, here.
 */
public final class LinkUnitStage {
    /** Creates the stage; it has no state. */
    public LinkUnitStage() {
    }

    /**
     * Makes the unit.
     *
     * @param name the plugin's name, for messages
     * @param format the format of the module source
     * @param objects the objects, each with the name messages use
     * @param signatures LLVM signatures of the exported functions, where the source carried them
     * @param inlineAssembly whether the source used inline assembly (allowed by the load)
     * @param timings counts the objects validated, also when a later one is refused
     * @return the unit
     */
    public LinkUnit apply(String name, ModuleFormat format, List<Input> objects, Map<String, Signature> signatures,
                          boolean inlineAssembly, LoadTimings timings) {
        List<ElfObject> parsed = new ArrayList<>(objects.size());
        for (Input object : objects) {
            parsed.add(CheckStage.object(object.name(), object.bytes()));
            if (timings != null) {
                timings.objects++;
            }
        }
        CheckStage.uniqueDefinitions(name, parsed);
        return new LinkUnit(name, format, parsed, signatures, inlineAssembly);
    }

    /**
     * Names the objects compiled from one IR unit: the unit's name if there is one object, with the partition's
     * number if the unit was split.
     */
    static List<Input> name(String unitName, List<byte[]> objects) {
        List<Input> named = new ArrayList<>(objects.size());
        for (int i = 0; i < objects.size(); i++) {
            named.add(new Input(objects.size() == 1 ? unitName : unitName + " (part " + i + ")", ModuleFormat.OBJECT,
                    objects.get(i)));
        }
        return named;
    }
}
