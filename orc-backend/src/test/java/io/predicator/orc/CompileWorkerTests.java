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

    @Test
    void inputsThatEndTheJvmInProcessBecomeTypedExceptionsAndTheContextKeepsLoading() throws Exception {
        ChildJvm.Result child = ChildJvm.run(Child.class);
        System.out.print(child.out());
        assertThat(child.exitCode()).as("the child's exit status; its output:%n%s", child.output()).isZero();
        assertThat(child.crashed()).isFalse();
        assertThat(child.out()).contains("OK");
        for (String probe : GeneratedModules.codegenProbes().keySet()) {
            assertThat(child.out()).as(probe).containsPattern(probe + ": (refused|loaded)");
        }
        // Refused by the checks before any code is generated: the worker survives them.
        for (String checked : List.of("amdgcn-intrinsic", "aarch64-neon-intrinsic", "wasm-intrinsic", "unknown-gc",
                "hipe-calling-convention", "read-register-bad-name", "scalable-vector")) {
            assertThat(child.out()).contains(checked + ": refused UnsupportedModuleException");
        }
        // Past the checks, LLVM's fatal error in the worker: its text, and this JVM goes on.
        assertThat(child.out()).containsPattern("comdat-largest: refused CompilationException: LLVM cannot compile "
                + "plugin 'comdat-largest': .*COMDAT.* \\(in a compile worker");
    }

    @Test
    void whatTheCodeGeneratorCannotCompileIsRefusedByNameBeforeAnyCodeIsGenerated() {
        try (JitContext jit = JitContext.builder().build()) {
            assertRefused(jit, "amdgcn-intrinsic", GeneratedModules.codegenProbes().get("amdgcn-intrinsic"),
                    "'llvm.amdgcn.fmed3.f32', an intrinsic of the AMDGPU target");
            assertRefused(jit, "unknown-gc", GeneratedModules.codegenProbes().get("unknown-gc"),
                    "uses the garbage collector \"foo\", which LLVM does not have");
            assertRefused(jit, "hipe-calling-convention", GeneratedModules.codegenProbes().get("hipe-calling-convention"),
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
            String nest = GeneratedModules.loopNest(3_000);
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("loop-nest", nest), shortLimit))
                    .isInstanceOf(CompilationException.class)
                    .hasMessageContaining("loop-nest")
                    .hasMessageContaining("did not finish within 2 s");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("stopped near its deadline")
                    .isLessThan(Duration.ofSeconds(30));
            assertAddWorks(jit);
        }
    }

    @Test
    void aModuleThatMakesLlvmAllocatePastTheWorkersMemoryLimitIsMalformedAndTheNextLoadWorks() {
        // Four GiB of constant from 150 bytes of IR: without the limit the worker takes minutes and 8 GiB to compile it.
        String bomb = """
                @g = global <1073741824 x i32> splat (i32 1)
                define i32 @f(i64 %x) {
                  %p = getelementptr i32, ptr @g, i64 %x
                  %v = load i32, ptr %p
                  ret i32 %v
                }
                """;
        try (JitContext jit = JitContext.builder().build()) {
            assertThatThrownBy(() -> jit.load(ModuleSource.ir("bomb.ll", bomb)))
                    .isInstanceOf(MalformedModuleException.class)
                    .hasMessageContaining("'bomb.ll'")
                    .hasMessageContaining("LLVM ran out of memory on it (a compile worker may use 4 GiB)");
            assertAddWorks(jit);
        }
    }

    @Test
    void workersThatDieAreReplacedWhileOtherThreadsKeepLoading() throws Exception {
        byte[] crashing = PathologicalInputTests.resource("use-list-segv.bc");
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

    /** The child JVM: loads every probe and chain with the defaults, prints what happened, then loads a plugin. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] arguments) {
            Map<String, String> inputs = new LinkedHashMap<>(GeneratedModules.codegenProbes());
            inputs.putAll(GeneratedModules.chains(3_000, 10_000));
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
