package io.predicator.orc.internal.pipeline;

import io.predicator.ModuleFormat;

/**
 * One unit of input to the pipeline: the content of a module source, an archive member or a compiled object.
 *
 * @param name for messages, e.g. {@code lib.a(member.o)}
 * @param format {@link ModuleFormat#IR_TEXT}, {@link ModuleFormat#BITCODE} or {@link ModuleFormat#OBJECT}
 * @param bytes the content; kept, not copied
 */
public record Input(String name, ModuleFormat format, byte[] bytes) {
    /** Returns whether the unit is LLVM IR (text or bitcode) that must be compiled. */
    public boolean isIr() {
        return format == ModuleFormat.IR_TEXT || format == ModuleFormat.BITCODE;
    }
}
