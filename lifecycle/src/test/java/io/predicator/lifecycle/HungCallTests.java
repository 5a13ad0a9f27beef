package io.predicator.lifecycle;

import io.predicator.JitContext;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.fixtures.ChildJvm;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

/**
 * A call that never returns cannot hold up a swap for ever: replacing the version it runs in closes that version
 * with the default drain ({@link Plugin#DEFAULT_DRAIN}), after which the call is stopped with {@code INTERRUPTED}
 * and the swap returns. Stopping a call uses a signal, so each scenario runs in a child JVM, which checks what it
 * sees and prints {@code OK <scenario>}.
 */
class HungCallTests {
    /** {@code i32 check(i32 x)}: {@code 2 * x}, or a loop for ever when {@code x} is negative. */
    static final String HANGS = """
            @flag = global i32 0
            define i32 @check(i32 %x) {
            entry:
              %negative = icmp slt i32 %x, 0
              br i1 %negative, label %loop, label %fine
            loop:
              %f = load volatile i32, ptr @flag
              %done = icmp ne i32 %f, 0
              br i1 %done, label %fine, label %loop
            fine:
              %r = mul i32 %x, 2
              ret i32 %r
            }
            """;

    @Test
    void aSwapDuringAHungCallStopsItAfterTheDefaultDrainAndServesTheNewVersion() throws Exception {
        runChild("slot");
    }

    @Test
    void aDirectoryReplacesAFileWhoseVersionHasAHungCall() throws Exception {
        runChild("directory");
    }

    private static void runChild(String scenario) throws Exception {
        ChildJvm.runScenario(Child.class, scenario);
    }

    /** The child JVM: runs one scenario, and throws (exit status 1) on any unexpected outcome. */
    static final class Child {
        private Child() {
        }

        public static void main(String... args) throws Exception {
            switch (args[0]) {
                case "slot" -> slot();
                case "directory" -> directory(Files.createTempDirectory("predicator-hung"));
                default -> throw new IllegalArgumentException(args[0]);
            }
            System.out.println("OK " + args[0]);
        }

        private static void slot() throws Exception {
            try (JitContext jit = JitContext.builder().build();
                 PluginSlot<IntUnaryOperator> slot = PluginSlot.create(jit, "check", IntUnaryOperator.class,
                         ModuleSource.ir("hangs.ll", HANGS))) {
                IntUnaryOperator check = slot.function();
                CompletableFuture<Throwable> hung = hang(check);
                long start = System.nanoTime();
                slot.swap(ModuleSource.ir("hangs-v2.ll", HANGS));
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                check(slot.version().generation() == 2, "the swap published version 2: " + slot.version());
                stopped(hung.get(30, TimeUnit.SECONDS));
                check(tookMillis >= Plugin.DEFAULT_DRAIN.toMillis(), "the swap let the call run for the drain: "
                        + tookMillis + " ms");
                check(check.applyAsInt(21) == 42, "the new version serves");
                System.out.println("the swap returned after " + tookMillis + " ms, stopping the hung call");
            }
        }

        private static void directory(Path folder) throws Exception {
            Files.writeString(folder.resolve("hangs.ll"), HANGS);
            CountDownLatch swapped = new CountDownLatch(1);
            try (JitContext jit = JitContext.builder().build();
                 PluginDirectory directory = PluginDirectory.builder(jit, folder)
                         .listener(new PluginDirectory.Listener() {
                             @Override
                             public void swapped(String file, SwapResult result) {
                                 swapped.countDown();
                             }
                         })
                         .build()) {
                IntUnaryOperator check = directory.function("hangs.ll", "check", IntUnaryOperator.class);
                CompletableFuture<Throwable> hung = hang(check);
                Files.writeString(folder.resolve("hangs.ll"), HANGS.replace("mul i32 %x, 2", "mul i32 %x, 3"));
                check(swapped.await(60, TimeUnit.SECONDS), "the changed file was swapped in");
                stopped(hung.get(30, TimeUnit.SECONDS));
                check(check.applyAsInt(7) == 21, "the changed file serves");
                check(directory.failures().isEmpty(), "no failure: " + directory.failures());

                // Two files with a hung call each: closing the folder gives both one drain, not one each.
                Files.writeString(folder.resolve("other.ll"), HANGS);
                directory.rescan();
                List<CompletableFuture<Throwable>> hungs = List.of(hang(check),
                        hang(directory.function("other.ll", "check", IntUnaryOperator.class)));
                long start = System.nanoTime();
                directory.close();
                long tookMillis = (System.nanoTime() - start) / 1_000_000;
                for (CompletableFuture<Throwable> one : hungs) {
                    stopped(one.get(30, TimeUnit.SECONDS));
                }
                check(tookMillis < 2 * Plugin.DEFAULT_DRAIN.toMillis(), "closing the folder added up the drains: "
                        + tookMillis + " ms");
                System.out.println("closing a folder with two hung calls took " + tookMillis + " ms");
            }
        }

        /** Starts a call that never returns on its own; the future gets what it threw. */
        private static CompletableFuture<Throwable> hang(IntUnaryOperator check) throws InterruptedException {
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    check.applyAsInt(-1);
                    outcome.complete(null);
                } catch (Throwable e) {
                    outcome.complete(e);
                }
            });
            Thread.sleep(50);
            check(!outcome.isDone(), "the call hangs");
            return outcome;
        }

        private static void stopped(Throwable thrown) {
            check(thrown instanceof PluginFaultException fault && fault.kind() == PluginFaultException.Kind.INTERRUPTED
                    && fault.getMessage().contains("the plugin was closed"), "the hung call was stopped: " + thrown);
        }

        private static void check(boolean condition, String what) {
            if (!condition) {
                throw new AssertionError(what);
            }
        }
    }
}
