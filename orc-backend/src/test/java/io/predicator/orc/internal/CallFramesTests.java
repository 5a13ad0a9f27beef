package io.predicator.orc.internal;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The frames that unloading scans: an outer call must stay visible to another thread for as long as it lasts,
 * while calls nested inside it come and go.
 */
class CallFramesTests {

    @Test
    void nestedCallsComingAndGoingNeverHideTheOuterCall() throws Exception {
        long outer = CallFrames.newPluginId();
        long inner = CallFrames.newPluginId();
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong nestings = new AtomicLong();
        CountDownLatch entered = new CountDownLatch(1);
        Thread caller = Thread.ofPlatform().start(() -> {
            CallFrames frames = CallFrames.current();
            frames.push(outer, null);
            entered.countDown();
            while (!done.get()) {
                for (int i = 0; i < 1_000; i++) {
                    frames.push(inner, null); // the outer plugin called Java, which calls another plugin
                    frames.pop();
                }
                nestings.addAndGet(1_000);
            }
            frames.pop();
        });
        entered.await();
        long misses = 0;
        long scans = 0;
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() < deadline || nestings.get() < 100_000) {
            scans++;
            if (!CallFrames.inCall(outer)) {
                misses++;
            }
        }
        done.set(true);
        caller.join();

        assertThat(misses).as("scans (of %d, during %d nested calls) that missed the outer call", scans,
                nestings.get()).isZero();
        assertThat(CallFrames.inCall(outer)).as("after the outer call returned").isFalse();
        assertThat(CallFrames.inCall(inner)).isFalse();
    }

    @Test
    void framesRestoreTheExceptionsSavedAtEachLevel() {
        CallFrames frames = CallFrames.current();
        IllegalStateException outerPending = new IllegalStateException("pending before the outer call");
        IllegalStateException innerPending = new IllegalStateException("pending before the nested call");
        long outer = CallFrames.newPluginId();
        long[] nested = new long[10];
        frames.push(outer, outerPending);
        for (int i = 0; i < nested.length; i++) { // beyond the initial capacity of the nested slots
            nested[i] = CallFrames.newPluginId();
            frames.push(nested[i], i == 0 ? innerPending : null);
        }
        assertThat(frames.contains(outer)).isTrue();
        assertThat(frames.contains(nested[9])).isTrue();
        for (int i = nested.length - 1; i > 0; i--) {
            assertThat(frames.pop()).isNull();
            assertThat(frames.contains(nested[i])).isFalse();
        }
        assertThat(frames.pop()).isSameAs(innerPending);
        assertThat(frames.contains(outer)).isTrue();
        assertThat(frames.pop()).isSameAs(outerPending);
        assertThat(frames.contains(outer)).isFalse();
    }
}
