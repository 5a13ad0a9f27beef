package io.predicator.guice;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/** The test plugins: {@code strlen.ll} (needs {@code strlen}) and {@code getpid.ll} (needs {@code getpid}). */
final class Plugins {
    private Plugins() {
    }

    /** {@code i64(ptr)}. */
    public interface Length {
        long length(MemorySegment text);
    }

    /** Loads {@code strlen.ll} and measures a string with it. */
    static long measure(JitContext jit, String text) {
        try (Plugin plugin = jit.load(ir("strlen.ll"));
             Arena arena = Arena.ofConfined()) {
            return plugin.function("length", Length.class).length(arena.allocateFrom(text));
        }
    }

    /** Loads {@code getpid.ll} and asks it for the process id. */
    static int pid(JitContext jit) {
        try (Plugin plugin = jit.load(ir("getpid.ll"))) {
            return plugin.function("pid", IntSupplier.class).getAsInt();
        }
    }

    static ModuleSource ir(String name) {
        try (InputStream in = Plugins.class.getResourceAsStream("/ir/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /ir/" + name);
            }
            return ModuleSource.ir(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
