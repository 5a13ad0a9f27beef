package io.predicator.lifecycle;

import io.predicator.ModuleSource;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;

import java.util.List;

/**
 * Test plugins: small IR modules whose results identify the version that produced them, and bitcode, objects and
 * archives made from that IR by the shared fixture compiler (predicator-fixtures), independently of the backend.
 */
final class Modules {
    private Modules() {
    }

    /**
     * A plugin exporting {@code i32 apply(i32 x)} = {@code 3 * x + tag}, {@code i32 tag()} = {@code tag} and
     * {@code i32 wait_for(ptr flag, ptr entered)}, which tells the caller it entered, spins until the flag is nonzero
     * and returns {@code tag}.
     */
    static String tagged(int tag) {
        return """
                define i32 @apply(i32 %%x) {
                  %%triple = mul i32 %%x, 3
                  %%result = add i32 %%triple, %d
                  ret i32 %%result
                }

                define i32 @tag() {
                  ret i32 %d
                }

                define i32 @wait_for(ptr %%flag, ptr %%entered) {
                entry:
                  store atomic i32 1, ptr %%entered release, align 4
                  br label %%loop
                loop:
                  %%value = load atomic i32, ptr %%flag acquire, align 4
                  %%unset = icmp eq i32 %%value, 0
                  br i1 %%unset, label %%loop, label %%done
                done:
                  ret i32 %d
                }
                """.formatted(tag, tag, tag);
    }

    /** {@link #tagged(int)} as an IR module source. */
    static ModuleSource taggedSource(int tag) {
        return ModuleSource.ir("tagged-" + tag + ".ll", tagged(tag));
    }

    /** A module that exports only {@code i32 tag()}: a swap to it must be refused by views of {@code apply}. */
    static String tagOnly(int tag) {
        return """
                define i32 @tag() {
                  ret i32 %d
                }
                """.formatted(tag);
    }

    /** A module whose {@code apply} takes and returns {@code i64}: its signature differs from {@code i32(i32)}. */
    static String wideApply() {
        return """
                define i64 @apply(i64 %x) {
                  ret i64 %x
                }
                """;
    }

    /** A module that calls a function nobody provides. */
    static String unresolved() {
        return """
                declare i32 @no_such_host_function(i32)

                define i32 @apply(i32 %x) {
                  %result = call i32 @no_such_host_function(i32 %x)
                  ret i32 %result
                }
                """;
    }

    /** IR that does not parse. */
    static String broken() {
        return """
                define i32 @apply(i32 %x) {
                  %result = add i32 %x,
                  ret i32 %result
                }
                """;
    }

    /** Plain bitcode of the IR. */
    static byte[] bitcode(String ir) {
        return FixtureCompiler.bitcode(ir);
    }

    /** An ELF object for this host. */
    static byte[] object(String ir) {
        return FixtureCompiler.object(ir);
    }

    /** A GNU {@code ar} archive with one member and no symbol table. */
    static byte[] archive(String memberName, byte[] member) {
        return FixtureCompiler.archive(false, new ArchiveMember(memberName, member, List.of()));
    }
}
