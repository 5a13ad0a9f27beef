package io.predicator.toolchain.internal;

import io.predicator.ConfigurationException;
import io.predicator.orc.programs.LlvmPrograms;
import io.predicator.toolchain.ToolNotFoundException;

/**
 * The toolchain's access to the LLVM programs bundled with {@code org.bytedeco:llvm} (see {@link LlvmPrograms}):
 * a platform without them is a missing tool here.
 */
final class BundledLlvm {
    private BundledLlvm() {
    }

    /**
     * Returns the bundled programs, extracting them on first use.
     *
     * @throws ToolNotFoundException if the natives for this platform are missing
     */
    static LlvmPrograms get() {
        try {
            return LlvmPrograms.get();
        } catch (ConfigurationException e) {
            throw new ToolNotFoundException("clang", e.getMessage());
        }
    }
}
