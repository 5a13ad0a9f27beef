package io.predicator.orc.internal.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;

/**
 * The process's compile workers: a small pool, shared by every JIT context, of {@link CompileWorker} processes
 * kept warm so that a load pays a round trip, not a process start. Each compile takes an idle worker (starting
 * one if none is idle and fewer than {@link #MAX_WORKERS} are busy, else waiting for one); a worker that died or
 * was killed is replaced in the background, so the next load finds a warm one again. Workers end with this JVM:
 * each reads its requests from a pipe that closes when this process ends.
 */
public final class CompileWorkers {
    /** Busy workers at most: compiles beyond that wait, as they would for cores. */
    static final int MAX_WORKERS = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    private static final CompileWorkers SHARED = new CompileWorkers();

    private final Semaphore busy = new Semaphore(MAX_WORKERS, true);
    private final Deque<CompileWorker> idle = new ArrayDeque<>();
    private WorkerCommand command;
    private int starting;

    private CompileWorkers() {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(this::closeIdle));
    }

    /** Returns the process's pool. */
    public static CompileWorkers shared() {
        return SHARED;
    }

    /** Starts a worker in the background if none is idle or starting, so that the first compile finds it warm. */
    public void warmUp() {
        synchronized (this) {
            if (!idle.isEmpty() || starting > 0) {
                return;
            }
            starting++;
        }
        Thread.ofVirtual().name("predicator-compile-worker-start").start(this::startIdle);
    }

    /**
     * Compiles a module in a worker.
     *
     * @param timeout how long the compile may take
     * @return the worker's answer
     * @throws WorkerFailure if the worker died, was killed at the deadline or could not start
     */
    public WorkerProtocol.Response compile(WorkerProtocol.Request request, Duration timeout) {
        busy.acquireUninterruptibly();
        CompileWorker worker = null;
        try {
            worker = take();
            WorkerProtocol.Response response = worker.compile(request, timeout, Deadlines.shared());
            give(worker);
            worker = null;
            return response;
        } finally {
            if (worker != null) { // it died: replace it, so that the next compile finds a warm one
                worker.close();
                warmUp();
            }
            busy.release();
        }
    }

    /** An idle worker; one that is starting (the warm-up) if there is none; a new one if none is starting. */
    private CompileWorker take() {
        synchronized (this) {
            while (true) {
                while (!idle.isEmpty()) {
                    CompileWorker worker = idle.pop();
                    if (worker.isAlive()) {
                        return worker;
                    }
                    worker.close();
                }
                if (starting == 0) {
                    break;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return CompileWorker.start(command());
    }

    private void give(CompileWorker worker) {
        synchronized (this) {
            if (idle.size() < MAX_WORKERS) {
                idle.push(worker);
                notifyAll();
                return;
            }
        }
        worker.close();
    }

    private void startIdle() {
        try {
            CompileWorker worker = CompileWorker.start(command());
            give(worker);
        } catch (WorkerFailure e) {
            LOGGER.log(System.Logger.Level.WARNING, "Cannot start a compile worker: " + e.getMessage());
        } finally {
            synchronized (this) {
                starting--;
                notifyAll();
            }
        }
    }

    private synchronized WorkerCommand command() {
        if (command == null) {
            command = WorkerCommand.forThisJvm();
        }
        return command;
    }

    private void closeIdle() {
        synchronized (this) {
            idle.forEach(CompileWorker::close);
            idle.clear();
        }
    }
}
