package io.predicator.lifecycle;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.SignatureMismatchException;
import io.predicator.UnknownSymbolException;
import io.predicator.UnresolvedSymbolsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntUnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Many threads load, call, swap and close plugins of one context at random for a bounded time. Nothing may crash,
 * hang or throw anything but the documented exceptions: {@link AlreadyClosedException} for a call through a slot or
 * plugin that was closed, and the typed load failures of deliberately bad swaps. Every result must be the one the
 * version that computed it defines: {@code apply(x) = 3x + tag}, where the tag names the slot and version.
 *
 * <p>Runs for {@code -Dpredicator.stress.seconds} (default 6) with seed {@code -Dpredicator.stress.seed}.
 */
class LifecycleStressTests {
    private static final int SLOTS = 4;
    private static final int SWAPPERS = 2;
    private static final int CALLERS = 3;
    private static final int TAGS_PER_SLOT = 1_000_000;
    private static final int RAW_BASE = 100 * TAGS_PER_SLOT;

    private final JitContext context = JitContext.builder().build();
    private final AtomicReferenceArray<PluginSlot<IntUnaryOperator>> slots = new AtomicReferenceArray<>(SLOTS);
    /** Every tag a swap was attempted with; a result's tag must be one of these. */
    private final Set<Integer> attempted = ConcurrentHashMap.newKeySet();
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    @AfterEach
    void closeContext() {
        context.close();
    }

    @Test
    void randomLoadsCallsSwapsAndClosesOnOneContext() throws Exception {
        Duration duration = Duration.ofSeconds(Long.getLong("predicator.stress.seconds", 6));
        long seed = Long.getLong("predicator.stress.seed", System.nanoTime());
        System.out.println("LifecycleStressTests seed " + seed + " (-Dpredicator.stress.seed=" + seed + ")");
        for (int slot = 0; slot < SLOTS; slot++) {
            slots.set(slot, newSlot(slot, slot * TAGS_PER_SLOT));
        }
        AtomicReference<Plugin> shared = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int s = 0; s < SWAPPERS; s++) {
            int swapper = s;
            threads.add(thread("swapper-" + s, seed + s, start, random -> swapper(swapper, random)));
        }
        for (int c = 0; c < CALLERS; c++) {
            threads.add(thread("caller-" + c, seed + 100 + c, start, this::caller));
        }
        threads.add(thread("raw-loader", seed + 200, start, random -> rawLoader(random, shared)));
        threads.add(thread("raw-caller", seed + 300, start, random -> rawCaller(random, shared)));

        assertTimeoutPreemptively(duration.plusSeconds(90), () -> {
            threads.forEach(Thread::start);
            start.countDown();
            Thread.sleep(duration.toMillis()); // the run's length, not an assertion
            stop.set(true);
            for (Thread thread : threads) {
                thread.join();
            }
        });

        System.out.println("LifecycleStressTests counts " + new java.util.TreeMap<>(counts));
        assertThat(failures).as("unexpected failures (seed %d)", seed).isEmpty();
        assertThat(count("call")).as("calls through slots").isPositive();
        assertThat(count("swap")).as("successful swaps").isPositive();
        assertThat(count("bad-swap")).as("refused swaps").isPositive();
        assertThat(count("raw-call")).as("calls of directly loaded plugins").isPositive();
        Plugin last = shared.getAndSet(null);
        if (last != null) {
            last.close();
        }
        assertThat(context.plugins()).as("one plugin per open slot, nothing leaked").hasSize(SLOTS);
        for (int slot = 0; slot < SLOTS; slot++) {
            slots.get(slot).close();
        }
        assertThat(context.plugins()).isEmpty();
    }

    /** Swaps the slots it owns to new versions, sometimes to bad ones, sometimes closes and recreates a slot. */
    private void swapper(int swapper, Random random) {
        int[] next = new int[SLOTS];
        for (int slot = 0; slot < SLOTS; slot++) {
            next[slot] = slot * TAGS_PER_SLOT + 1;
        }
        while (!stop.get()) {
            int slot = swapper + SWAPPERS * random.nextInt(SLOTS / SWAPPERS);
            PluginSlot<IntUnaryOperator> current = slots.get(slot);
            int dice = random.nextInt(100);
            if (dice < 5) {
                int tag = next[slot]++;
                PluginSlot<IntUnaryOperator> replacement = newSlot(slot, tag);
                slots.set(slot, replacement);
                current.close();
                increment("recreate");
            } else if (dice < 20) {
                badSwap(current, random);
            } else {
                int tag = next[slot]++;
                attempted.add(tag);
                SwapResult result = current.swap(source(tag, random));
                if (result.current().generation() != result.previous().generation() + 1) {
                    throw new AssertionError("generations skipped: " + result);
                }
                increment("swap");
            }
        }
    }

    private void badSwap(PluginSlot<IntUnaryOperator> slot, Random random) {
        long generation = slot.version().generation();
        Class<? extends Throwable> expected;
        ModuleSource source;
        switch (random.nextInt(4)) {
            case 0 -> {
                source = ModuleSource.ir("broken.ll", Modules.broken());
                expected = MalformedModuleException.class;
            }
            case 1 -> {
                source = ModuleSource.ir("tag-only.ll", Modules.tagOnly(-1));
                expected = UnknownSymbolException.class;
            }
            case 2 -> {
                source = ModuleSource.ir("wide.ll", Modules.wideApply());
                expected = SignatureMismatchException.class;
            }
            default -> {
                source = ModuleSource.ir("unresolved.ll", Modules.unresolved());
                expected = UnresolvedSymbolsException.class;
            }
        }
        try {
            slot.swap(source);
            throw new AssertionError("swap to " + source + " succeeded");
        } catch (RuntimeException e) {
            if (!expected.isInstance(e)) {
                throw new AssertionError("swap to " + source + " threw " + e + ", expected " + expected.getName(), e);
            }
        }
        if (slot.version().generation() != generation) {
            throw new AssertionError("a refused swap changed the version of " + slot);
        }
        increment("bad-swap");
    }

    /** Calls random slots; checks each result against the slot, the tags attempted and what it saw before. */
    private void caller(Random random) {
        int[] lastTag = new int[SLOTS];
        while (!stop.get()) {
            int slot = random.nextInt(SLOTS);
            PluginSlot<IntUnaryOperator> used = slots.get(slot);
            int x = random.nextInt(1 << 20);
            int result;
            try {
                result = used.function().applyAsInt(x);
            } catch (AlreadyClosedException e) {
                if (!used.isClosed()) {
                    throw new AssertionError("AlreadyClosedException from an open slot " + used, e);
                }
                increment("closed-slot-call");
                continue;
            }
            int tag = result - 3 * x;
            if (tag / TAGS_PER_SLOT != slot || !attempted.contains(tag)) {
                throw new AssertionError("slot " + slot + " apply(" + x + ") = " + result + ": tag " + tag
                        + " was never loaded into it");
            }
            if (tag < lastTag[slot]) {
                throw new AssertionError("slot " + slot + " went back from version tag " + lastTag[slot] + " to " + tag);
            }
            lastTag[slot] = tag;
            increment("call");
        }
    }

    /** Loads plugins straight from the context, shares them with the raw caller, and closes them. */
    private void rawLoader(Random random, AtomicReference<Plugin> shared) {
        int tag = RAW_BASE;
        while (!stop.get()) {
            tag++;
            Plugin plugin = context.load(source(tag, random));
            int x = random.nextInt(1000);
            int result = plugin.function("apply", IntUnaryOperator.class).applyAsInt(x);
            if (result != 3 * x + tag) {
                throw new AssertionError("plugin " + tag + " apply(" + x + ") = " + result);
            }
            Plugin previous = shared.getAndSet(plugin);
            if (previous != null) {
                previous.close();
            }
            increment("raw-load");
        }
    }

    /** Calls whatever plugin is shared; a call racing its close may only fail with AlreadyClosedException. */
    private void rawCaller(Random random, AtomicReference<Plugin> shared) {
        while (!stop.get()) {
            Plugin plugin = shared.get();
            if (plugin == null) {
                Thread.onSpinWait();
                continue;
            }
            int x = random.nextInt(1000);
            try {
                IntUnaryOperator apply = plugin.function("apply", IntUnaryOperator.class);
                for (int i = 0; i < 50; i++) {
                    int result = apply.applyAsInt(x + i);
                    int tag = result - 3 * (x + i);
                    if (tag <= RAW_BASE || !plugin.name().equals("tagged-" + tag + ".ll")
                            && !plugin.name().startsWith("tagged-" + tag + ".")) {
                        throw new AssertionError("plugin " + plugin.name() + " returned tag " + tag);
                    }
                    increment("raw-call");
                }
            } catch (AlreadyClosedException e) {
                if (!plugin.isClosed()) {
                    throw new AssertionError("AlreadyClosedException from an open plugin " + plugin, e);
                }
                increment("raw-closed-call");
            }
        }
    }

    private PluginSlot<IntUnaryOperator> newSlot(int slot, int tag) {
        attempted.add(tag);
        return PluginSlot.create(context, "apply", IntUnaryOperator.class, Modules.taggedSource(tag));
    }

    /** Version {@code tag} as IR text or, now and then, as bitcode. */
    private static ModuleSource source(int tag, Random random) {
        return random.nextInt(8) == 0
                ? ModuleSource.bitcode("tagged-" + tag + ".bc", Modules.bitcode(Modules.tagged(tag)))
                : Modules.taggedSource(tag);
    }

    private Thread thread(String name, long seed, CountDownLatch start, java.util.function.Consumer<Random> body) {
        Thread thread = new Thread(() -> {
            try {
                start.await();
                body.accept(new Random(seed));
            } catch (Throwable e) {
                failures.add(new AssertionError(name + " (seed " + seed + ") failed: " + e, e));
                stop.set(true);
            }
        }, "stress-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private void increment(String what) {
        counts.computeIfAbsent(what, key -> new LongAdder()).increment();
    }

    private long count(String what) {
        LongAdder adder = counts.get(what);
        return adder == null ? 0 : adder.sum();
    }
}
