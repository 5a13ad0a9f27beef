package io.predicator.orc;

import io.predicator.CompilationException;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.UnsupportedModuleException;
import io.predicator.fixtures.ChildJvm;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.IntBinaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Untrusted IR and bitcode compile in a compile worker: inputs that end the JVM when LLVM compiles them in-process
 * (found by an outside fuzz run against an earlier version; each reproduced alone in a fresh JVM) become typed
 * exceptions, a compile that runs past its timeout is stopped, and the next load finds a worker again.
 */
class CompileWorkerTests {
    private static final String ADD = """
            define i32 @add(i32 %a, i32 %b) {
              %r = add i32 %a, %b
              ret i32 %r
            }
            """;

    /** IR that passes the verifier but that LLVM's x86 back end cannot compile: LLVM's fatal error path. */
    static Map<String, String> codegenProbes() {
        Map<String, String> probes = new LinkedHashMap<>();
        probes.put("amdgcn-intrinsic", """
                declare float @llvm.amdgcn.fmed3.f32(float, float, float)
                define float @f(float %a) {
                  %r = call float @llvm.amdgcn.fmed3.f32(float %a, float %a, float %a)
                  ret float %r
                }
                """);
        probes.put("aarch64-neon-intrinsic", """
                declare <4 x i32> @llvm.aarch64.neon.uqadd.v4i32(<4 x i32>, <4 x i32>)
                define <4 x i32> @f(<4 x i32> %a) {
                  %r = call <4 x i32> @llvm.aarch64.neon.uqadd.v4i32(<4 x i32> %a, <4 x i32> %a)
                  ret <4 x i32> %r
                }
                """);
        probes.put("wasm-intrinsic", """
                declare i32 @llvm.wasm.memory.size.i32(i32)
                define i32 @f() {
                  %r = call i32 @llvm.wasm.memory.size.i32(i32 0)
                  ret i32 %r
                }
                """);
        probes.put("x86-xbegin-without-rtm", """
                declare i32 @llvm.x86.xbegin()
                define i32 @f() {
                  %r = call i32 @llvm.x86.xbegin()
                  ret i32 %r
                }
                """);
        probes.put("unknown-gc", """
                define void @f() gc "foo" {
                  ret void
                }
                """);
        probes.put("hipe-calling-convention", """
                define cc 11 void @f(i64 %a) {
                  ret void
                }
                define void @g() {
                  call cc 11 void @f(i64 1)
                  ret void
                }
                """);
        probes.put("read-register-bad-name", """
                declare i64 @llvm.read_register.i64(metadata)
                define i64 @f() {
                  %r = call i64 @llvm.read_register.i64(metadata !0)
                  ret i64 %r
                }
                !0 = !{!"no-such-register"}
                """);
        probes.put("scalable-vector", """
                define <vscale x 4 x i32> @f(<vscale x 4 x i32> %a) {
                  %r = add <vscale x 4 x i32> %a, %a
                  ret <vscale x 4 x i32> %r
                }
                """);
        probes.put("spirv-image-argument", """
                define void @f(target("spirv.Image", void, 1, 0, 0, 0, 0, 0, 0) %image) {
                  ret void
                }
                define void @g() {
                  call void @f(target("spirv.Image", void, 1, 0, 0, 0, 0, 0, 0) zeroinitializer)
                  ret void
                }
                """);
        return probes;
    }

    /** Reference chains that overflow LLVM's native stack in-process; no line is deeply nested. */
    static Map<String, String> chains() {
        Map<String, String> chains = new LinkedHashMap<>();
        StringBuilder metadata = new StringBuilder("define void @f() {\n  ret void, !chain !0\n}\n");
        for (int i = 0; i < 3_000; i++) {
            metadata.append('!').append(i).append(" = !{!").append(i + 1).append("}\n");
        }
        metadata.append("!3000 = !{}\n");
        chains.put("metadata-chain", metadata.toString());
        StringBuilder structs = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            structs.append("%s").append(i).append(" = type { %s").append(i + 1).append(" }\n");
        }
        structs.append("%s3000 = type { i32 }\n")
                .append("define void @f(ptr %p) {\n  %v = load %s0, ptr %p\n  store %s0 %v, ptr %p\n  ret void\n}\n");
        chains.put("struct-chain", structs.toString());
        StringBuilder aliases = new StringBuilder("@g = global i32 0\n");
        for (int i = 0; i < 10_000; i++) {
            aliases.append("@a").append(i).append(" = alias i32, ptr ").append(i == 9_999 ? "@g" : "@a" + (i + 1))
                    .append('\n');
        }
        aliases.append("define i32 @f() {\n  %v = load i32, ptr @a0\n  ret i32 %v\n}\n");
        chains.put("alias-chain", aliases.toString());
        return chains;
    }

    @Test
    void inputsThatEndTheJvmInProcessBecomeTypedExceptionsAndTheContextKeepsLoading() throws Exception {
        ChildJvm.Result child = ChildJvm.run(Child.class);
        System.out.print(child.out());
        assertThat(child.exitCode()).as("the child's exit status; its output:%n%s", child.output()).isZero();
        assertThat(child.crashed()).isFalse();
        assertThat(child.out()).contains("OK");
        for (String probe : codegenProbes().keySet()) {
            assertThat(child.out()).as(probe).containsPattern(probe + ": (refused|loaded)");
        }
        // Refused by the checks before any code is generated: the worker survives them.
        for (String checked : List.of("amdgcn-intrinsic", "aarch64-neon-intrinsic", "wasm-intrinsic", "unknown-gc",
                "hipe-calling-convention")) {
            assertThat(child.out()).contains(checked + ": refused UnsupportedModuleException");
        }
        // Past the checks, LLVM's fatal error in the worker: its text, and this JVM goes on.
        assertThat(child.out()).contains("scalable-vector: refused CompilationException: LLVM cannot compile plugin "
                + "'scalable-vector': Don't know how to legalize this scalable vector type (in a compile worker");
    }

    @Test
    void whatTheCodeGeneratorCannotCompileIsRefusedByNameBeforeAnyCodeIsGenerated() {
        try (JitContext jit = JitContext.builder().build()) {
            assertRefused(jit, "amdgcn-intrinsic", codegenProbes().get("amdgcn-intrinsic"),
                    "'llvm.amdgcn.fmed3.f32', an intrinsic of the AMDGPU target");
            assertRefused(jit, "unknown-gc", codegenProbes().get("unknown-gc"),
                    "uses the garbage collector \"foo\", which LLVM does not have");
            assertRefused(jit, "hipe-calling-convention", codegenProbes().get("hipe-calling-convention"),
                    "calling convention 11 (HiPE");
            assertRefused(jit, "not-utf-8", """
                    define i32 @"\\FF\\FEname"() {
                      ret i32 1
                    }
                    """, "bytes that are not UTF-8 (fffe6e616d65 in hex)");
            assertRefused(jit, "reserved-prefix", """
                    define i32 @"__predicator_local.mine"() {
                      ret i32 1
                    }
                    """, "names that start with '__predicator_local.' are reserved");
            assertAddWorks(jit);
        }
    }

    private static void assertRefused(JitContext jit, String name, String ir, String message) {
        for (boolean trusted : new boolean[] {false, true}) { // the same checks in the worker and in this process
            assertThatThrownBy(() -> jit.load(ModuleSource.ir(name, ir), LoadOptions.builder().trustInput(trusted)
                    .build())).as(name + (trusted ? ", trusted" : ""))
                    .isInstanceOf(UnsupportedModuleException.class)
                    .hasMessageContaining(name)
                    .hasMessageContaining(message);
        }
    }

    @Test
    void aCompileThatRunsPastItsTimeoutIsStoppedAndTheNextLoadWorks() {
        try (JitContext jit = JitContext.builder().build()) {
            LoadOptions shortLimit = LoadOptions.builder().compileTimeout(Duration.ofSeconds(2)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("loop-nest", loopNest(3_000)), shortLimit))
                    .isInstanceOf(CompilationException.class)
                    .hasMessageContaining("loop-nest")
                    .hasMessageContaining("did not finish within 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stopped near its deadline")
                    .isLessThan(Duration.ofSeconds(30));
            assertAddWorks(jit);
        }
    }

    @Test
    void workersThatDieAreReplacedWhileOtherThreadsKeepLoading() throws Exception {
        byte[] crashing = resource("use-list-segv.bc");
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        try (JitContext jit = JitContext.builder().build()) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int index = t;
                Runnable loads = () -> {
                    try {
                        for (int i = 0; i < 4; i++) {
                            String name = "crash-" + index + "-" + i + ".bc";
                            if ((index + i) % 2 == 0) {
                                // It crashes the reader, or, in a worker whose memory is laid out otherwise, fails
                                // one of its checks: refused either way, and the worker replaced if it died.
                                assertThatThrownBy(() -> jit.load(ModuleSource.bitcode(name, crashing)))
                                        .isInstanceOf(MalformedModuleException.class)
                                        .hasMessageContaining(name);
                            } else {
                                assertAddWorks(jit);
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                };
                threads.add(index % 2 == 0 ? Thread.ofPlatform().start(loads) : Thread.ofVirtual().start(loads));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            assertThat(failures).isEmpty();
            assertAddWorks(jit);
        }
    }

    private static void assertAddWorks(JitContext jit) {
        try (Plugin plugin = jit.load(ModuleSource.ir("add", ADD))) {
            assertThat(plugin.function("add", IntBinaryOperator.class).applyAsInt(40, 2)).isEqualTo(42);
        }
    }

    /** A loop nest this deep keeps LLVM's O2 loop passes busy for minutes. */
    static String loopNest(int depth) {
        StringBuilder ir = new StringBuilder("declare void @sink(i32)\ndefine void @f(i32 %n) {\nentry:\n  br label %h0\n");
        for (int k = 0; k < depth; k++) {
            String from = k == 0 ? "%entry" : "%h" + (k - 1);
            String body = k == depth - 1 ? "%inner" : "%h" + (k + 1);
            ir.append("h").append(k).append(":\n")
                    .append("  %i").append(k).append(" = phi i32 [0, ").append(from).append("], [%n").append(k)
                    .append(", %x").append(k).append("]\n")
                    .append("  %c").append(k).append(" = icmp slt i32 %i").append(k).append(", %n\n")
                    .append("  br i1 %c").append(k).append(", label ").append(body).append(", label %e").append(k)
                    .append('\n')
                    .append("e").append(k).append(":\n")
                    .append(k == 0 ? "  ret void\n" : "  br label %x" + (k - 1) + "\n")
                    .append("x").append(k).append(":\n")
                    .append("  %n").append(k).append(" = add i32 %i").append(k).append(", 1\n")
                    .append("  br label %h").append(k).append('\n');
        }
        ir.append("inner:\n  call void @sink(i32 %i").append(depth - 1).append(")\n  br label %x").append(depth - 1)
                .append("\n}\n");
        return ir.toString();
    }

    private static byte[] resource(String name) {
        try (InputStream in = CompileWorkerTests.class.getResourceAsStream("/pathological/" + name)) {
            if (in == null) {
                throw new IllegalStateException("no test resource /pathological/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The child JVM: loads every probe and chain with the defaults, prints what happened, then loads a plugin. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] arguments) {
            Map<String, String> inputs = new LinkedHashMap<>(codegenProbes());
            inputs.putAll(chains());
            try (JitContext jit = JitContext.builder().build()) {
                for (Map.Entry<String, String> input : inputs.entrySet()) {
                    try (Plugin ignored = jit.load(ModuleSource.ir(input.getKey(), input.getValue()))) {
                        System.out.println(input.getKey() + ": loaded");
                    } catch (JitException e) {
                        System.out.println(input.getKey() + ": refused " + e.getClass().getSimpleName() + ": "
                                + e.getMessage());
                    }
                }
                assertAddWorks(jit);
            }
            System.out.println("OK");
        }
    }
}
