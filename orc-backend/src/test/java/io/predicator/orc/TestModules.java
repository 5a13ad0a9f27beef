package io.predicator.orc;

import io.predicator.ModuleSource;
import io.predicator.fixtures.ArchiveMember;
import io.predicator.fixtures.FixtureCompiler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The backend tests' plugins: IR text from {@code src/test/resources/ir}, and bitcode, ELF objects (for the host or
 * for aarch64) and {@code ar} archives made from that IR at test time by the shared
 * {@link FixtureCompiler}, independently of the backend.
 */
final class TestModules {
    /** The triple of a foreign architecture whose objects the host must refuse. */
    static final String AARCH64_TRIPLE = FixtureCompiler.AARCH64_TRIPLE;

    /**
     * An array of the plugin's own with appending linkage, read by {@code i32 second()}: the verifier accepts it,
     * LLVM's code generator ends the process on it.
     */
    static final String APPENDING_ARRAY = """
            @listed = appending global [2 x i32] [i32 7, i32 9]
            define i32 @second() {
              %slot = getelementptr [2 x i32], ptr @listed, i64 0, i64 1
              %v = load i32, ptr %slot
              ret i32 %v
            }
            """;

    /** {@code i32 add(i32, i32)}, {@code i32 sub(i32, i32)}, {@code i32 mul(i32, i32)}; used everywhere. */
    static final String ARITH = "arith.ll";

    private TestModules() {
    }

    /** Reads an IR fixture from the class path ({@code /ir/<name>}). */
    static String irText(String resource) {
        try (InputStream in = TestModules.class.getResourceAsStream("/ir/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /ir/" + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An IR fixture as a module source named after the resource. */
    static ModuleSource ir(String resource) {
        return ModuleSource.ir(resource, irText(resource));
    }

    /** A tiny IR plugin whose {@code i32 value()} returns the given constant and that also defines {@code add}. */
    static String valueIr(int value) {
        return """
                define i32 @value() {
                  ret i32 %d
                }

                define i32 @add(i32 %%a, i32 %%b) {
                  %%sum = add i32 %%a, %%b
                  ret i32 %%sum
                }
                """.formatted(value);
    }

    /** Plain bitcode of the given IR, written by LLVM. */
    static byte[] bitcode(String ir) {
        return FixtureCompiler.bitcode(ir);
    }

    /** Wraps bitcode in the 20-byte bitcode wrapper header, as Apple's toolchains write it. */
    static byte[] wrapBitcode(byte[] bitcode) {
        return FixtureCompiler.wrapBitcode(bitcode);
    }

    /** An ELF relocatable object for the host. */
    static byte[] object(String ir) {
        return FixtureCompiler.object(ir);
    }

    /** An ELF relocatable object for aarch64 Linux, which a x86-64 host cannot load. */
    static byte[] aarch64Object(String ir) {
        return FixtureCompiler.aarch64Object(ir);
    }

    /** A GNU {@code ar} archive of the members, optionally with a symbol table first, as {@code ar rcs} writes. */
    static byte[] archive(boolean withSymbolTable, ArchiveMember... members) {
        return FixtureCompiler.archive(withSymbolTable, members);
    }

    /** Returns a copy of the first {@code length} bytes. */
    static byte[] truncate(byte[] bytes, int length) {
        return Arrays.copyOf(bytes, length);
    }
}
