package io.predicator.orc.internal.pipeline;

import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;

import java.util.ArrayList;
import java.util.List;

/**
 * Stage "read": a {@link ModuleSource} becomes the units the pipeline compiles or links, in order. An archive
 * is expanded into all of its members, as a linker does with {@code --whole-archive}; its bitcode members are
 * compiled like any IR.
 */
public final class ReadStage {
    /** Creates the stage; it has no state. */
    public ReadStage() {
    }

    /**
     * Reads a source.
     *
     * @param name the plugin's name, for messages
     * @param source the source
     * @return one unit for IR or an object, one per member for an archive
     */
    public List<Input> apply(String name, ModuleSource source) {
        byte[] content = source.toByteArray();
        if (source.format() != ModuleFormat.ARCHIVE) {
            return List.of(new Input(name, source.format(), content));
        }
        List<ArArchive.Member> members = CheckStage.archive(name, content);
        List<Input> inputs = new ArrayList<>();
        for (ArArchive.Member member : members) {
            ModuleFormat format = CheckStage.archiveMember(name, member);
            inputs.add(new Input(name + "(" + member.name() + ")", format, member.bytes()));
        }
        CheckStage.archiveNotEmpty(name, inputs);
        return inputs;
    }
}
