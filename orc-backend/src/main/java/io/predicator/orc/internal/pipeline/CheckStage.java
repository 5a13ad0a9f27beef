package io.predicator.orc.internal.pipeline;

import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;
import io.predicator.ModuleSource;
import io.predicator.PolicyViolationException;
import io.predicator.UnsupportedModuleException;
import io.predicator.orc.internal.llvm.Llvm;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.llvm.LLVM.LLVMModuleRef;
import org.bytedeco.llvm.LLVM.LLVMTargetDataRef;
import org.bytedeco.llvm.global.LLVM;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage "check": every refusal of a module's content is made here, so that this list is the whole of it.
 *
 * <p>The main check, {@link #apply}, takes a {@link ParsedModule} and gives its {@link ModuleFacts}. A few refusals
 * need something the pipeline has only before parsing or after a later stage; those stages call the method named
 * below at that point, and nothing else refuses content. In the order a load meets them:
 * <ol>
 *   <li>{@link #archive}, {@link #archiveMember}, {@link #archiveNotEmpty}: a damaged {@code ar} format
 *       ({@link ArArchive}'s reader), members that are neither ELF objects nor bitcode, and archives without
 *       members ({@link ReadStage});</li>
 *   <li>{@link #beforeParsing}: IR text nesting brackets deeper than {@link ModuleChecks#MAX_NESTING};</li>
 *   <li>(what LLVM cannot parse is refused by {@link ParseStage} itself);</li>
 *   <li>{@link #apply}: IR the verifier rejects; a target triple for another architecture; the shapes LLVM cannot
 *       survive, listed in {@link ModuleChecks} (deep types, huge integers and aggregates, page-plus alignment,
 *       foreign appending arrays, {@code inalloca}); inline assembly unless the load allows it
 *       ({@link #policy}, also applied to an object read from the cache);</li>
 *   <li>{@link #verifyPartition}: a partition of a split module that is no longer valid IR;</li>
 *   <li>{@link #sizes}: globals larger than a plugin may be, once the host's data layout is set
 *       ({@link OptimizeStage});</li>
 *   <li>{@link #objectSize}: object code larger than a plugin may be ({@link EmitStage});</li>
 *   <li>{@link #object}: ELF objects that are damaged, for another machine, or use thread-locals or static
 *       constructors ({@link ElfObject}'s validating reader; {@link LinkUnitStage});</li>
 *   <li>{@link #uniqueDefinitions}: a strong symbol defined by two objects of one module ({@link LinkUnitStage}).</li>
 * </ol>
 * A new pre-check is one more method or one more entry in {@link ModuleChecks}, called from the same place.
 */
public final class CheckStage {
    /** Creates the stage; it has no state. */
    public CheckStage() {
    }

    /**
     * Refuses what must not reach the module: invalid IR, another target, shapes LLVM cannot compile safely and,
     * unless allowed, inline assembly; then reports what the walk learnt.
     *
     * @param parsed the module, unchanged since it was parsed
     * @param request the load's policy
     * @return the module's signatures, inline assembly and instruction counts
     */
    public ModuleFacts apply(ParsedModule parsed, CompileRequest request) {
        String sourceName = parsed.name();
        LLVMModuleRef module = parsed.module();
        verify(sourceName, module);
        checkTarget(sourceName, module);
        ModuleChecks.Findings findings = ModuleChecks.check(sourceName, module);
        policy(sourceName, findings.inlineAssembly(), request);
        return new ModuleFacts(ModuleFacts.signatures(module), findings.inlineAssembly(), findings.instructions());
    }

    /** Refuses a module before any LLVM parser sees it, on this thread or a compile thread. */
    static void beforeParsing(String sourceName, byte[] content) {
        if (!isBitcode(content)) {
            ModuleChecks.checkTextNesting(sourceName, content);
        }
    }

    /** Refuses inline assembly unless the load allows it. */
    static void policy(String sourceName, String inlineAssembly, CompileRequest request) {
        if (inlineAssembly != null && !request.allowInlineAssembly()) {
            throw new PolicyViolationException(sourceName, "it contains inline assembly (" + inlineAssembly
                    + "), which can make system calls no resolver sees; load it with "
                    + "LoadOptions.builder().trustInlineAssembly(true) only if you trust it");
        }
    }

    /** Refuses a partition of a split module that is no longer valid IR: a split must never reach codegen broken. */
    static void verifyPartition(String partitionName, LLVMModuleRef module) {
        verify(partitionName, module);
    }

    /** Refuses globals whose size the target data layout puts beyond what a plugin may have. */
    static void sizes(String sourceName, LLVMModuleRef module, LLVMTargetDataRef layout) {
        ModuleChecks.checkSizes(sourceName, module, layout);
    }

    /** Refuses object code beyond what a plugin may have. */
    static void objectSize(String sourceName, long size) {
        if (size > ElfObject.MAX_SIZE) {
            throw new UnsupportedModuleException(sourceName, "its object code is " + size + " bytes, more than the "
                    + ElfObject.MAX_SIZE + " a plugin may have");
        }
    }

    /** Validates and reads an ELF object; refuses damaged ones, other machines', thread-locals and constructors. */
    static ElfObject object(String objectName, byte[] bytes) {
        return ElfObject.parse(objectName, bytes);
    }

    /** Reads the members of an {@code ar} archive; refuses a damaged one. */
    static List<ArArchive.Member> archive(String archiveName, byte[] bytes) {
        return ArArchive.members(archiveName, bytes);
    }

    /** Refuses an archive member that is neither an ELF object nor bitcode; returns its format. */
    static ModuleFormat archiveMember(String archiveName, ArArchive.Member member) {
        ModuleSource memberSource;
        try {
            memberSource = ModuleSource.of(archiveName + "(" + member.name() + ")", member.bytes());
        } catch (MalformedModuleException e) {
            throw new MalformedModuleException(archiveName, "member '" + member.name() + "' is not an object: "
                    + e.getMessage());
        }
        if (memberSource.format() != ModuleFormat.OBJECT && memberSource.format() != ModuleFormat.BITCODE) {
            throw new MalformedModuleException(archiveName, "member '" + member.name()
                    + "' is neither an ELF object nor bitcode");
        }
        return memberSource.format();
    }

    /** Refuses an archive without members. */
    static void archiveNotEmpty(String archiveName, List<?> members) {
        if (members.isEmpty()) {
            throw new MalformedModuleException(archiveName, "the archive has no members");
        }
    }

    /** Refuses a module two of whose objects define the same strong symbol. */
    static void uniqueDefinitions(String moduleName, List<ElfObject> objects) {
        Map<String, String> strongOwner = new LinkedHashMap<>();
        for (ElfObject object : objects) {
            for (ElfObject.Definition definition : object.definitions()) {
                if (!definition.weak()) {
                    String previous = strongOwner.putIfAbsent(definition.name(), object.name());
                    if (previous != null) {
                        throw new MalformedModuleException(moduleName, "symbol '" + definition.name()
                                + "' is defined by both " + previous + " and " + object.name());
                    }
                }
            }
        }
    }

    private static void verify(String sourceName, LLVMModuleRef module) {
        BytePointer message = new BytePointer();
        if (LLVM.LLVMVerifyModule(module, LLVM.LLVMReturnStatusAction, message) != 0) {
            throw new MalformedModuleException(sourceName, "the IR is invalid: " + Llvm.takeMessage(message).strip());
        }
        Llvm.takeMessage(message);
    }

    private static void checkTarget(String sourceName, LLVMModuleRef module) {
        BytePointer triplePointer = LLVM.LLVMGetTarget(module);
        String triple = triplePointer == null || triplePointer.isNull() ? "" : triplePointer.getString();
        if (triple.isEmpty()) {
            return;
        }
        String arch = triple.substring(0, triple.indexOf('-') < 0 ? triple.length() : triple.indexOf('-'));
        String hostArch = Llvm.hostTriple().substring(0, Llvm.hostTriple().indexOf('-'));
        if (!normalizeArch(arch).equals(normalizeArch(hostArch))) {
            throw new MalformedModuleException(sourceName, "the module targets " + triple + " but this host is "
                    + Llvm.hostTriple() + "; compile the plugin for " + hostArch + " or without a target triple");
        }
    }

    private static String normalizeArch(String arch) {
        return arch.equals("amd64") || arch.equals("x86-64") ? "x86_64" : arch;
    }

    private static boolean isBitcode(byte[] content) {
        return content.length >= 4 && ((content[0] == 'B' && content[1] == 'C')
                || (content[0] == (byte) 0xDE && content[1] == (byte) 0xC0 && content[2] == 0x17 && content[3] == 0x0B));
    }
}
