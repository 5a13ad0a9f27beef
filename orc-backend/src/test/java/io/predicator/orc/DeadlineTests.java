package io.predicator.orc;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.fixtures.ChildJvm;
import io.predicator.fixtures.FixtureCompiler;
import io.predicator.spi.SymbolResolver;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;

/**
 * No plugin call can hang a thread for ever: a call past its timeout throws {@code TIMEOUT}, an interrupted caller's
 * call throws {@code INTERRUPTED} and keeps the interrupt, and a close stops the calls still running after its
 * drain. Each runaway is a real loop (a {@code while (!flag)} spin, a loop calling a host function, a vectorised
 * loop, a recursion without loops), loaded as bitcode and as an object. Every scenario runs in a child JVM, since a
 * stop that went wrong could end this one; the child checks what it sees and prints {@code OK <scenario>}.
 */
class DeadlineTests {
    /** Four calls that never return on their own; each takes an int so that nothing folds at compile time. */
    static final String RUNAWAYS = """
            @flag = global i32 0
            @cells = global [256 x i32] zeroinitializer, align 64
            declare i32 @host_tick(i32)

            define i32 @spin(i32 %x) {
            entry:
              br label %loop
            loop:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %out, label %loop
            out:
              ret i32 %x
            }
            define i32 @call_host(i32 %x) {
            entry:
              br label %loop
            loop:
              %i = phi i32 [ %x, %entry ], [ %next, %loop ]
              %r = call i32 @host_tick(i32 %i)
              %next = add i32 %i, 1
              %stop = icmp eq i32 %r, -1
              br i1 %stop, label %out, label %loop
            out:
              ret i32 %next
            }
            define i32 @vector(i32 %x) {
            entry:
              br label %outer
            outer:
              br label %inner
            inner:
              %i = phi i64 [ 0, %outer ], [ %next, %inner ]
              %p = getelementptr inbounds [256 x i32], ptr @cells, i64 0, i64 %i
              %v = load i32, ptr %p, align 4
              %m = mul i32 %v, 3
              %a = add i32 %m, %x
              store i32 %a, ptr %p, align 4
              %next = add nuw nsw i64 %i, 1
              %end = icmp eq i64 %next, 256
              br i1 %end, label %again, label %inner
            again:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %out, label %outer
            out:
              ret i32 %x
            }
            define i32 @fib(i32 %n) {
            entry:
              %small = icmp slt i32 %n, 2
              br i1 %small, label %leaf, label %split
            leaf:
              %f = load volatile i32, ptr @flag
              %r = add i32 %n, %f
              ret i32 %r
            split:
              %n1 = sub i32 %n, 1
              %n2 = sub i32 %n, 2
              %a = call i32 @fib(i32 %n1)
              %b = call i32 @fib(i32 %n2)
              %s = add i32 %a, %b
              ret i32 %s
            }
            define i32 @twice(i32 %x) {
              %v = mul i32 %x, 2
              ret i32 %v
            }
            """;

    /** The runaways; {@code fib} gets 60, which takes hours, the others 1. */
    private static final List<String> FUNCTIONS = List.of("spin", "call_host", "vector", "fib");

    @Test
    void aCallPastItsTimeoutThrowsTimeoutInEveryFormatAndTheContextKeepsWorking() throws Exception {
        runChild("timeout");
    }

    @Test
    void interruptingTheCallingThreadStopsTheCallAndKeepsTheInterrupt() throws Exception {
        runChild("interrupt");
    }

    @Test
    void futureCancelAndShutdownNowStopCallsOnPlatformAndVirtualThreads() throws Exception {
        runChild("cancel");
    }

    @Test
    void closingStopsTheCallsStillRunningAfterTheDrain() throws Exception {
        runChild("close");
    }

    @Test
    void aCallThatReturnsInTimeIsNotStoppedAndADefaultTimeoutComesFromTheContext() throws Exception {
        runChild("defaults");
    }

    private static void runChild(String scenario) throws Exception {
        ChildJvm.runScenario(Child.class, scenario);
    }

    /** The child JVM: runs one scenario, throws (exit status 1) on any unexpected outcome. */
    static final class Child {
        private static final AtomicLong TICKS = new AtomicLong();
        private static final Arena ARENA = Arena.global();

        private Child() {
        }

        public static void main(String[] arguments) throws Throwable {
            switch (arguments[0]) {
                case "timeout" -> timeout();
                case "interrupt" -> interrupt();
                case "cancel" -> cancel();
                case "close" -> close();
                case "defaults" -> defaults();
                default -> throw new IllegalArgumentException(arguments[0]);
            }
            System.out.println("OK " + arguments[0]);
        }

        /** Each runaway, as bitcode and as an object, under a 50 ms timeout. */
        private static void timeout() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : sources()) {
                    for (String function : FUNCTIONS) {
                        Plugin plugin = jit.load(source, LoadOptions.builder().callTimeout(Duration.ofMillis(50))
                                .name(source.name() + "-" + function).build());
                        IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                        long start = System.nanoTime();
                        PluginFaultException fault = expectStop(() -> call.applyAsInt(argument(function)),
                                PluginFaultException.Kind.TIMEOUT, "ran past its timeout of 50 ms");
                        long tookMillis = (System.nanoTime() - start) / 1_000_000;
                        check(tookMillis >= 50, function + " stopped early, after " + tookMillis + " ms");
                        check(plugin.isClosed() && plugin.fault().orElseThrow() == fault, "the plugin closed itself");
                        expectClosed(call);
                        stillWorks(jit, source);
                        System.out.println(source.format() + " " + function + ": stopped after " + tookMillis
                                + " ms: " + fault.getMessage());
                    }
                }
                check(jit.stats().faults() == 2L * FUNCTIONS.size(), "every stop counted: " + jit.stats());
            }
        }

        /** Each runaway, as bitcode and as an object, on a thread that another thread interrupts. */
        private static void interrupt() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : sources()) {
                    for (String function : FUNCTIONS) {
                        Plugin plugin = jit.load(source, LoadOptions.builder().name(source.name() + "-" + function)
                                .build());
                        IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                        AtomicReference<Throwable> outcome = new AtomicReference<>();
                        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
                        Thread caller = Thread.ofPlatform().start(() -> {
                            try {
                                call.applyAsInt(argument(function));
                            } catch (Throwable e) {
                                outcome.set(e);
                            }
                            stillInterrupted.set(Thread.currentThread().isInterrupted());
                        });
                        Thread.sleep(30);
                        caller.interrupt();
                        caller.join(TimeUnit.SECONDS.toMillis(30));
                        check(!caller.isAlive(), function + ": the interrupted call did not stop");
                        PluginFaultException fault = stopped(outcome.get(), PluginFaultException.Kind.INTERRUPTED,
                                "the calling thread was interrupted");
                        check(stillInterrupted.get(), function + ": the thread's interrupt status was cleared");
                        check(plugin.isClosed(), "the plugin closed itself");
                        stillWorks(jit, source);
                        System.out.println(source.format() + " " + function + ": " + fault.getMessage());
                    }
                }
            }
        }

        /** Java's own cancellation: {@code Future.cancel(true)} and {@code shutdownNow()}, on both kinds of thread. */
        private static void cancel() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
                for (boolean virtual : new boolean[] {false, true}) {
                    ExecutorService executor = virtual ? Executors.newVirtualThreadPerTaskExecutor()
                            : Executors.newFixedThreadPool(2);
                    Plugin plugin = jit.load(source, LoadOptions.builder().name("cancel-" + virtual).build());
                    IntUnaryOperator spin = plugin.function("spin", IntUnaryOperator.class);
                    CompletableFuture<Throwable> seen = new CompletableFuture<>();
                    Future<Integer> future = executor.submit(() -> {
                        try {
                            return spin.applyAsInt(1);
                        } catch (Throwable e) {
                            seen.complete(e);
                            throw e;
                        }
                    });
                    Thread.sleep(30);
                    future.cancel(true);
                    stopped(seen.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED, "interrupted");
                    try {
                        future.get();
                        throw new AssertionError("a cancelled future returned");
                    } catch (CancellationException expected) {
                        // what cancel(true) promises
                    }

                    Plugin second = jit.load(source, LoadOptions.builder().name("shutdown-" + virtual).build());
                    IntUnaryOperator vector = second.function("vector", IntUnaryOperator.class);
                    List<Future<Integer>> calls = new ArrayList<>();
                    for (int i = 0; i < 2; i++) {
                        calls.add(executor.submit(() -> vector.applyAsInt(3)));
                    }
                    Thread.sleep(30);
                    executor.shutdownNow();
                    check(executor.awaitTermination(30, TimeUnit.SECONDS), "shutdownNow stopped the calls");
                    for (Future<Integer> call : calls) {
                        try {
                            call.get();
                            throw new AssertionError("a call survived shutdownNow");
                        } catch (ExecutionException e) {
                            stopped(e.getCause(), PluginFaultException.Kind.INTERRUPTED, "interrupted");
                        }
                    }
                    stillWorks(jit, source);
                    System.out.println((virtual ? "virtual" : "platform") + " threads: cancel and shutdownNow stopped");
                }
            }
        }

        /** A close lets calls run during its drain, then stops them; a context close drains all its plugins once. */
        private static void close() throws Exception {
            try (JitContext jit = context(Optional.empty())) {
                for (ModuleSource source : sources()) {
                    Plugin plugin = jit.load(source, LoadOptions.builder().name(source.name() + "-close").build());
                    List<CompletableFuture<Throwable>> outcomes = runAway(plugin, List.of("spin", "fib", "call_host"));
                    Thread.sleep(30);
                    long start = System.nanoTime();
                    plugin.close(Duration.ofMillis(100));
                    long tookMillis = (System.nanoTime() - start) / 1_000_000;
                    check(tookMillis >= 100, "the close did not wait for its drain: " + tookMillis + " ms");
                    check(plugin.isClosed(), "closed");
                    for (CompletableFuture<Throwable> outcome : outcomes) {
                        stopped(outcome.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED,
                                "the plugin was closed");
                    }
                    stillWorks(jit, source);
                    System.out.println(source.format() + ": close(100 ms) stopped 3 calls and returned after "
                            + tookMillis + " ms");
                }
            }
            JitContext jit = context(Optional.empty());
            ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Plugin plugin = jit.load(source, LoadOptions.builder().name("busy-" + i).build());
                outcomes.addAll(runAway(plugin, List.of("spin")));
            }
            Thread.sleep(30);
            long start = System.nanoTime();
            jit.close(Duration.ofMillis(200));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            for (CompletableFuture<Throwable> outcome : outcomes) {
                stopped(outcome.get(30, TimeUnit.SECONDS), PluginFaultException.Kind.INTERRUPTED, "closed");
            }
            check(jit.isClosed() && jit.plugins().isEmpty(), "the context closed every plugin");
            // Three plugins share one 200 ms drain: closing them one after the other with a drain each takes 600.
            check(tookMillis < 600, "the context's close added up its plugins' drains: " + tookMillis + " ms");
            System.out.println("context close(200 ms) of 3 busy plugins took " + tookMillis + " ms");
        }

        /** A call that returns within its timeout is left alone; a context-wide timeout applies to loads without one. */
        private static void defaults() throws Exception {
            try (JitContext jit = context(Optional.of(Duration.ofMillis(40)))) {
                ModuleSource source = ModuleSource.ir("runaways", RUNAWAYS);
                Plugin quick = jit.load(source, LoadOptions.builder().name("quick")
                        .callTimeout(Duration.ofSeconds(30)).build());
                IntUnaryOperator twice = quick.function("twice", IntUnaryOperator.class);
                IntUnaryOperator host = quick.function("call_host", IntUnaryOperator.class);
                long sum = 0;
                for (int i = 0; i < 2_000_000; i++) {
                    sum += twice.applyAsInt(i);
                }
                check(sum == 2_000_000L * 1_999_999L, "the calls ran: " + sum);
                TICKS.set(-1_000); // the host function returns -1 after 1,000 calls: a call that returns in time
                check(host.applyAsInt(0) == 1_000, "a host-calling loop that ends returned its count");
                Thread.sleep(100); // several ticks pass with no call in progress: nothing is stopped later
                check(twice.applyAsInt(4) == 8 && !quick.isClosed(), "calls that returned in time were not stopped");

                Plugin inherits = jit.load(source, LoadOptions.builder().name("inherits").build());
                expectStop(() -> inherits.function("spin", IntUnaryOperator.class).applyAsInt(1),
                        PluginFaultException.Kind.TIMEOUT, "ran past its timeout of 40 ms");
                check(!quick.isClosed(), "a stop closes only its own plugin");
            }
        }

        /** Starts calls that never return on their own, each on its own thread; each future gets what it threw. */
        private static List<CompletableFuture<Throwable>> runAway(Plugin plugin, List<String> functions) {
            List<CompletableFuture<Throwable>> outcomes = new ArrayList<>();
            for (String function : functions) {
                IntUnaryOperator call = plugin.function(function, IntUnaryOperator.class);
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        call.applyAsInt(argument(function));
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                outcomes.add(outcome);
            }
            return outcomes;
        }

        private static int argument(String function) {
            return function.equals("fib") ? 60 : 1;
        }

        /** The runaways as bitcode and as an object; the host function resolves from this JVM. */
        private static List<ModuleSource> sources() {
            return List.of(ModuleSource.bitcode("runaways.bc", FixtureCompiler.bitcode(RUNAWAYS)),
                    ModuleSource.object("runaways.o", FixtureCompiler.object(RUNAWAYS)));
        }

        private static JitContext context(Optional<Duration> callTimeout) throws ReflectiveOperationException {
            MemorySegment hostTick = Linker.nativeLinker().upcallStub(MethodHandles.lookup().findStatic(Child.class,
                    "hostTick", MethodType.methodType(int.class, int.class)),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ARENA);
            JitContext.Builder builder = JitContext.builder().resolver(SymbolResolver.of("host",
                    symbol -> symbol.equals("host_tick") ? Optional.of(hostTick) : Optional.empty()));
            callTimeout.ifPresent(builder::callTimeout);
            return builder.build();
        }

        /** The host function of {@code call_host}: counts, and returns -1 once the count reaches 0 from below. */
        static int hostTick(int value) {
            return TICKS.incrementAndGet() == 0 ? -1 : value;
        }

        private static PluginFaultException expectStop(Runnable call, PluginFaultException.Kind kind, String detail) {
            Throwable thrown = null;
            try {
                call.run();
            } catch (Throwable e) {
                thrown = e;
            }
            return stopped(thrown, kind, detail);
        }

        private static PluginFaultException stopped(Throwable thrown, PluginFaultException.Kind kind, String detail) {
            if (!(thrown instanceof PluginFaultException fault)) {
                throw new AssertionError("expected a PluginFaultException of kind " + kind + ", got " + thrown, thrown);
            }
            check(fault.kind() == kind, "kind " + fault.kind() + ", expected " + kind + ": " + fault.getMessage());
            check(fault.getMessage().contains("was stopped in function '"), "message says stopped: " + fault.getMessage());
            check(fault.getMessage().contains(detail), "message has '" + detail + "': " + fault.getMessage());
            return fault;
        }

        private static void expectClosed(IntUnaryOperator call) {
            try {
                call.applyAsInt(1);
                throw new AssertionError("a call after the stop ran");
            } catch (AlreadyClosedException expected) {
                check(expected.getCause() instanceof PluginFaultException, "the later call's cause is the stop");
            }
        }

        /** The context still loads and calls after a stop. */
        private static void stillWorks(JitContext jit, ModuleSource source) {
            try (Plugin other = jit.load(source, LoadOptions.builder().name("after-" + System.nanoTime()).build())) {
                check(other.function("twice", IntUnaryOperator.class).applyAsInt(21) == 42, "the context keeps working");
            }
        }

        private static void check(boolean condition, String message) {
            if (!condition) {
                throw new AssertionError(message);
            }
        }
    }
}
