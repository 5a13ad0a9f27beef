package io.predicator.orc.internal.pipeline;

import io.predicator.Signature;

import java.util.List;
import java.util.Map;

/**
 * What compiling one IR unit gives: its object code, one object per partition, and the facts the load needs of it.
 * Plain data: it is what the object cache stores, and what a compile worker in another process would return.
 *
 * @param objects the ELF relocatable objects
 * @param signatures the LLVM signatures of the functions the module defines and exports, by name
 * @param inlineAssembly where the module uses inline assembly, or null if it does not
 */
public record CompiledModule(List<byte[]> objects, Map<String, Signature> signatures, String inlineAssembly) {
}
