package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.fixtures.ChildJvm;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntUnaryOperator;


/**
 * A plugin that crashes costs one {@link PluginFaultException}, never the JVM. Every scenario runs in a child JVM
 * (a failure of containment would end this one), which checks what it can see and prints {@code OK <scenario>};
 * the test asserts that the child exited normally and printed it.
 */
class FaultContainmentTests {
    /** Every way a plugin ends a call early; each function takes an int so that nothing folds at compile time. */
    static final String FAULTS = """
            declare void @abort()
            declare void @exit(i32)
            declare void @_exit(i32)
            declare void @__assert_fail(ptr, ptr, i32, ptr)
            declare void @predicator_panic(ptr, i64)
            declare void @llvm.trap()
            @assertion = private constant [6 x i8] c"x > 0\\00"
            @file = private constant [9 x i8] c"filter.c\\00"
            @function = private constant [7 x i8] c"filter\\00"
            @panic.message = private constant [15 x i8] c"index too high!"

            define i32 @null_read(i32 %x) {
              %p = inttoptr i32 %x to ptr
              %v = load volatile i32, ptr %p
              ret i32 %v
            }
            define i32 @divide(i32 %x) {
              %v = sdiv i32 100, %x
              ret i32 %v
            }
            define i32 @trap(i32 %x) {
              call void @llvm.trap()
              unreachable
            }
            define i32 @recurse(i32 %x) {
              %buffer = alloca [512 x i8], align 16
              store volatile i8 1, ptr %buffer
              %next = add i32 %x, 1
              %r = call i32 @recurse(i32 %next)
              %v = load volatile i8, ptr %buffer
              %w = zext i8 %v to i32
              %s = add i32 %r, %w
              ret i32 %s
            }
            define i32 @call_abort(i32 %x) {
              call void @abort()
              unreachable
            }
            define i32 @call_exit(i32 %x) {
              call void @exit(i32 %x)
              unreachable
            }
            define i32 @call_exit_now(i32 %x) {
              call void @_exit(i32 %x)
              unreachable
            }
            define i32 @fail_assert(i32 %x) {
              call void @__assert_fail(ptr @assertion, ptr @file, i32 %x, ptr @function)
              unreachable
            }
            define i32 @panic(i32 %x) {
              call void @predicator_panic(ptr @panic.message, i64 15)
              unreachable
            }
            define i32 @smash(i32 %x) sspreq {
              %buffer = alloca [8 x i8], align 1
              br label %loop
            loop:
              %i = phi i64 [ 0, %0 ], [ %n, %loop ]
              %slot = getelementptr i8, ptr %buffer, i64 %i
              store volatile i8 65, ptr %slot
              %n = add i64 %i, 1
              %done = icmp eq i64 %n, 64
              br i1 %done, label %end, label %loop
            end:
              ret i32 %x
            }
            define i32 @twice(i32 %x) {
              %v = mul i32 %x, 2
              ret i32 %v
            }
            """;

    @Test
    void eachFaultBecomesItsKindAndClosesThePlugin() throws Exception {
        runChild("kinds");
    }

    @Test
    void aStormOfFaultsOnTwoThreadsLeavesJavaNpesGarbageCollectionAndOtherPluginsWorking() throws Exception {
        runChild("storm");
    }

    @Test
    void stackOverflowsOnFreshPlatformAndVirtualThreadsAreContainedAndJavaStillOverflowsCleanly() throws Exception {
        runChild("overflow");
    }

    @Test
    void aHostFunctionsJavaCodeKeepsItsOwnNullPointerExceptions() throws Exception {
        runChild("upcall");
    }

    @Test
    void aFaultInACallNestedInAnotherPluginsCallEndsOnlyTheInnerCallAndTheOuterCanStillFault() throws Exception {
        runChild("nested");
    }

    private static void runChild(String scenario) throws Exception {
        ChildJvm.runScenario(Child.class, scenario);
    }

    /** The child JVM: runs one scenario, throws (exit status 1) on any unexpected outcome. */
    static final class Child {
        private Child() {
        }

        public static void main(String[] arguments) throws Throwable {
            switch (arguments[0]) {
                case "kinds" -> kinds();
                case "storm" -> storm();
                case "overflow" -> overflow();
                case "upcall" -> upcall();
                case "nested" -> nested();
                default -> throw new IllegalArgumentException(arguments[0]);
            }
            System.out.println("OK " + arguments[0]);
        }

        private static void kinds() {
            try (JitContext jit = JitContext.builder().build()) {
                expect(jit, "null_read", 0, PluginFaultException.Kind.SEGMENTATION_FAULT, "at address 0x0, in 'null_read'+0x");
                expect(jit, "divide", 0, PluginFaultException.Kind.ARITHMETIC_ERROR, "in 'divide'+0x");
                expect(jit, "trap", 0, PluginFaultException.Kind.ILLEGAL_INSTRUCTION, "in 'trap'+0x");
                expect(jit, "recurse", 0, PluginFaultException.Kind.STACK_OVERFLOW, "in 'recurse'+0x");
                expect(jit, "call_abort", 0, PluginFaultException.Kind.ABORT, "abort() was called");
                expect(jit, "call_exit", 3, PluginFaultException.Kind.EXIT, "exit() was called with status 3");
                expect(jit, "call_exit_now", 4, PluginFaultException.Kind.EXIT, "_exit() was called with status 4");
                expect(jit, "fail_assert", 42, PluginFaultException.Kind.ABORT,
                        "assertion failed: x > 0 (filter.c:42, in filter)");
                expect(jit, "panic", 0, PluginFaultException.Kind.PANIC, "panicked: index too high!");
                expect(jit, "smash", 1, PluginFaultException.Kind.ABORT, "stack smashing detected");
                check(jit.stats().faults() == 10, "ten faults counted: " + jit.stats());
            }
        }

        /** Loads the plugin, makes the call fault, and checks the exception, the plugin and the context after it. */
        private static void expect(JitContext jit, String function, int argument, PluginFaultException.Kind kind,
                                   String detail) {
            Plugin plugin = jit.load(ModuleSource.ir("faults-" + function, FAULTS));
            IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
            IntUnaryOperator twice = plugin.function("twice", IntUnaryOperator.class);
            check(twice.applyAsInt(21) == 42, "the plugin works before the fault");
            PluginFaultException fault = null;
            try {
                call.applyAsInt(argument);
            } catch (PluginFaultException e) {
                fault = e;
            }
            check(fault != null, function + " threw no PluginFaultException");
            check(fault.kind() == kind, function + ": kind " + fault.kind() + ", expected " + kind);
            check(fault.getMessage().contains("Plugin 'faults-" + function + "' faulted in function '" + function + "'"),
                    "message names the plugin and function: " + fault.getMessage());
            check(fault.getMessage().contains(detail), "message has '" + detail + "': " + fault.getMessage());
            check(plugin.isClosed() && plugin.fault().orElseThrow() == fault, function + ": the plugin closed itself");
            try {
                twice.applyAsInt(1);
                throw new AssertionError(function + ": a call after the fault ran");
            } catch (AlreadyClosedException e) {
                check(e.getCause() == fault, "the later call's cause is the fault");
            }
            try (Plugin other = jit.load(ModuleSource.ir("after-" + function, FAULTS))) {
                check(other.function("twice", IntUnaryOperator.class).applyAsInt(5) == 10, "the context keeps loading");
            }
            System.out.println(function + ": " + fault.getMessage());
        }

        private static void storm() throws Exception {
            AtomicLong npes = new AtomicLong();
            AtomicLong faults = new AtomicLong();
            try (JitContext jit = JitContext.builder().build()) {
                Plugin bystander = jit.load(ModuleSource.ir("bystander", FAULTS));
                IntUnaryOperator twice = bystander.function("twice", IntUnaryOperator.class);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                Thread garbage = Thread.ofPlatform().start(() -> {
                    Object nothing = null;
                    List<byte[]> kept = new ArrayList<>();
                    while (System.nanoTime() < deadline) {
                        kept.add(new byte[4096]);
                        if (kept.size() > 2_000) {
                            kept.clear();
                            System.gc();
                        }
                        try {
                            nothing.hashCode();
                        } catch (NullPointerException e) {
                            npes.incrementAndGet();
                        }
                    }
                });
                List<Thread> faulting = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int thread = t;
                    faulting.add(Thread.ofPlatform().start(() -> {
                        String[] functions = {"null_read", "divide", "trap", "call_abort", "panic"};
                        for (int i = 0; System.nanoTime() < deadline; i++) {
                            Plugin plugin = jit.load(ModuleSource.ir("storm-" + thread + "-" + i, FAULTS));
                            IntUnaryOperator call = plugin.function(functions[i % functions.length], IntUnaryOperator.class);
                            try {
                                call.applyAsInt(0);
                                throw new AssertionError("no fault");
                            } catch (PluginFaultException e) {
                                faults.incrementAndGet();
                            }
                            check(twice.applyAsInt(i) == 2 * i, "the bystander plugin still answers");
                        }
                    }));
                }
                garbage.join();
                for (Thread thread : faulting) {
                    thread.join();
                }
                check(!bystander.isClosed(), "the bystander stayed open");
            }
            check(faults.get() > 20 && npes.get() > 1_000, "faults " + faults + ", NPEs " + npes);
            System.out.println("storm: " + faults + " plugin faults beside " + npes + " NPEs");
        }

        private static void overflow() throws Exception {
            try (JitContext jit = JitContext.builder().build()) {
                List<String> outcomes = new ArrayList<>();
                Runnable overflowTwice = () -> {
                    for (int i = 0; i < 2; i++) {
                        Plugin plugin = jit.load(ModuleSource.ir("deep-" + Thread.currentThread().threadId() + "-" + i, FAULTS));
                        try {
                            plugin.function("recurse", IntUnaryOperator.class).applyAsInt(0);
                        } catch (PluginFaultException e) {
                            synchronized (outcomes) {
                                outcomes.add(e.kind().name());
                            }
                        }
                    }
                    try {
                        javaRecursion(0);
                    } catch (StackOverflowError e) {
                        synchronized (outcomes) {
                            outcomes.add("java");
                        }
                    }
                };
                Thread platform = Thread.ofPlatform().start(overflowTwice);
                platform.join();
                Thread virtual = Thread.ofVirtual().start(overflowTwice);
                virtual.join();
                check(outcomes.equals(List.of("STACK_OVERFLOW", "STACK_OVERFLOW", "java",
                        "STACK_OVERFLOW", "STACK_OVERFLOW", "java")), "outcomes " + outcomes);
            }
        }

        private static int javaRecursion(int depth) {
            return javaRecursion(depth + 1) + 1;
        }

        /** A host function whose Java code takes an implicit null check: the JVM's, not the plugin's. */
        private static void upcall() throws Throwable {
            String plugin = """
                    declare i32 @host(i32)
                    define i32 @through(i32 %x) {
                      %r = call i32 @host(i32 %x)
                      ret i32 %r
                    }
                    """;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment stub = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(Child.class,
                        "host", MethodType.methodType(int.class, int.class)),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), arena);
                Map<String, MemorySegment> table = Map.of("host", stub);
                try (JitContext jit = JitContext.builder().resolver(io.predicator.spi.SymbolResolver.of("host",
                        symbol -> Optional.ofNullable(table.get(symbol)))).build();
                     Plugin loaded = jit.load(ModuleSource.ir("through", plugin))) {
                    IntUnaryOperator through = loaded.function("through", IntUnaryOperator.class);
                    for (int i = 0; i < 20_000; i++) { // enough for the JIT compiler's implicit null checks
                        check(through.applyAsInt(i) == i + 1, "the host function's NPE stayed in Java");
                    }
                    check(!loaded.isClosed(), "no fault was reported");
                }
            }
        }

        /** The inner plugin's function that {@link #inner} calls, set by {@link #nested}. */
        private static volatile IntUnaryOperator innerFunction;

        /**
         * A plugin calls Java, which calls another plugin: a fault of the inner call ends that call only (Java
         * catches it and the outer call goes on), and a later fault of the outer call, after a nested call that
         * returned normally, is the outer plugin's.
         */
        private static void nested() throws Throwable {
            String outer = """
                    declare i32 @inner(i32)
                    define i32 @around(i32 %x) {
                      %r = call i32 @inner(i32 %x)
                      %s = add i32 %r, 1
                      ret i32 %s
                    }
                    define i32 @around_then_fault(i32 %x) {
                      %r = call i32 @inner(i32 %x)
                      %p = inttoptr i32 %r to ptr
                      %v = load volatile i32, ptr %p
                      ret i32 %v
                    }
                    """;
            try (Arena arena = Arena.ofShared()) {
                MemorySegment stub = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(Child.class,
                        "inner", MethodType.methodType(int.class, int.class)),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), arena);
                try (JitContext jit = JitContext.builder().resolver(io.predicator.spi.SymbolResolver.of("inner",
                        symbol -> Optional.ofNullable(symbol.equals("inner") ? stub : null))).build();
                     Plugin outerPlugin = jit.load(ModuleSource.ir("outer", outer))) {
                    Plugin faulting = jit.load(ModuleSource.ir("inner-faulting", FAULTS));
                    innerFunction = faulting.function("null_read", IntUnaryOperator.class);
                    IntUnaryOperator around = outerPlugin.function("around", IntUnaryOperator.class);
                    check(around.applyAsInt(0) == 42, "the inner fault ended the inner call only");
                    check(faulting.fault().isPresent() && outerPlugin.fault().isEmpty(), "the inner plugin faulted");
                    check(around.applyAsInt(0) == 42, "the outer plugin still works; the closed inner one refuses");

                    Plugin working = jit.load(ModuleSource.ir("inner-working", FAULTS));
                    innerFunction = working.function("twice", IntUnaryOperator.class);
                    IntUnaryOperator aroundThenFault = outerPlugin.function("around_then_fault", IntUnaryOperator.class);
                    try {
                        aroundThenFault.applyAsInt(0);
                        throw new AssertionError("the outer call did not fault");
                    } catch (PluginFaultException e) {
                        check(e.kind() == PluginFaultException.Kind.SEGMENTATION_FAULT && e.plugin().equals("outer"),
                                "the outer fault is the outer plugin's: " + e.getMessage());
                    }
                    check(working.fault().isEmpty() && !working.isClosed(), "the inner plugin that returned is intact");
                    check(working.function("twice", IntUnaryOperator.class).applyAsInt(21) == 42, "and still works");
                }
            }
        }

        private static int inner(int x) {
            try {
                return innerFunction.applyAsInt(x);
            } catch (PluginFaultException | AlreadyClosedException e) { // an upcall must not throw
                return 41;
            }
        }

        private static volatile String absent;

        private static int host(int x) {
            try {
                return absent.length();
            } catch (NullPointerException e) {
                return x + 1;
            }
        }

        private static void check(boolean condition, String what) {
            if (!condition) {
                throw new AssertionError(what);
            }
        }
    }
}
