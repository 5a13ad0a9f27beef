package io.predicator.lifecycle.internal;

import io.predicator.AlreadyClosedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The threads of a watched directory: a watcher thread turns {@link WatchService} events into tasks that run once a
 * file has been quiet for the debounce interval, one at a time, on one worker thread. Knows nothing of plugins.
 */
final class DirectoryWatcher implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(io.predicator.lifecycle.PluginDirectory.class.getName());
    /** The pending key of a rescan after lost events. */
    private static final String RESCAN = "";

    private final Path directory;
    private final long debounceNanos;
    private final Predicate<String> accepts;
    private final Consumer<String> changed;
    private final Runnable lostEvents;
    private final Map<String, ScheduledFuture<?>> pending = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final WatchService watchService;
    private final ScheduledExecutorService worker;
    private final Thread watcher;
    private volatile Thread workerThread;

    /**
     * Registers the watch; no thread watches until {@link #start()}.
     *
     * @param directory the absolute folder
     * @param debounce the quiet period
     * @param accepts which file names matter
     * @param changed runs on the worker for a file that changed, once it has been quiet
     * @param lostEvents runs on the worker when the watch service lost events
     * @throws UncheckedIOException if the folder cannot be watched
     */
    DirectoryWatcher(Path directory, Duration debounce, Predicate<String> accepts, Consumer<String> changed,
                     Runnable lostEvents) {
        this.directory = directory;
        this.debounceNanos = debounce.toNanos();
        this.accepts = accepts;
        this.changed = changed;
        this.lostEvents = lostEvents;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "predicator-plugin-directory " + directory.getFileName());
            thread.setDaemon(true);
            workerThread = thread;
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.worker = executor;
        this.watcher = new Thread(this::watch, "predicator-plugin-directory-watch " + directory.getFileName());
        this.watcher.setDaemon(true);
        try {
            this.watchService = directory.getFileSystem().newWatchService();
            directory.register(watchService, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException e) {
            worker.shutdown();
            throw new UncheckedIOException("Cannot watch plugin directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Starts the watcher thread. */
    void start() {
        watcher.start();
    }

    /**
     * Runs a task on the worker without waiting for it (at once if this is the worker), logging what it throws.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the watcher is closed
     */
    void execute(Runnable task) {
        if (Thread.currentThread() == workerThread) {
            guarded(task);
            return;
        }
        worker.execute(() -> guarded(task));
    }

    /**
     * Runs a task on the worker and waits for it (at once if this is the worker); rethrows what it threw.
     *
     * @throws AlreadyClosedException if the watcher is closed
     */
    void runOnWorker(Runnable task) {
        if (Thread.currentThread() == workerThread) {
            task.run();
            return;
        }
        Future<?> done;
        try {
            done = worker.submit(task);
        } catch (RejectedExecutionException e) {
            throw new AlreadyClosedException("plugin directory " + directory);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    done.get();
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException runtime) {
                        throw runtime;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                } catch (CancellationException e) {
                    throw new AlreadyClosedException("plugin directory " + directory);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Stops watching and waits for the worker's task in progress to finish (not from the worker itself, which
     * would never end); what is scheduled is cancelled. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            watchService.close();
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.WARNING, "closing the watch service of " + directory + " failed", e);
        }
        // Cancels what is scheduled; a load in progress finishes (native code cannot be interrupted anyway).
        worker.shutdown();
        boolean interrupted = false;
        if (Thread.currentThread() != workerThread) {
            while (true) {
                try {
                    if (worker.awaitTermination(1, TimeUnit.MINUTES)) {
                        break;
                    }
                    LOGGER.log(System.Logger.Level.WARNING, "still waiting for a plugin load in " + directory);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (Thread.currentThread() != watcher && watcher.isAlive()) {
            try {
                watcher.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The watcher thread: turns events into debounced tasks until the watch service closes. */
    private void watch() {
        while (true) {
            WatchKey key;
            try {
                key = watchService.take();
            } catch (ClosedWatchServiceException | InterruptedException e) {
                return;
            }
            for (WatchEvent<?> event : key.pollEvents()) {
                if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                    LOGGER.log(System.Logger.Level.DEBUG, () -> "events lost in " + directory + "; rescanning");
                    schedule(RESCAN, lostEvents);
                } else if (event.context() instanceof Path name && accepts.test(name.toString())) {
                    String file = name.toString();
                    schedule(file, () -> changed.accept(file));
                }
            }
            if (!key.reset()) {
                if (!closed.get()) {
                    LOGGER.log(System.Logger.Level.WARNING, "plugin directory " + directory + " is no longer accessible; "
                            + "its plugins keep serving but changes are no longer seen");
                }
                return;
            }
        }
    }

    /** (Re)starts the quiet period of a key: its task runs once no event arrived for the debounce interval. */
    private void schedule(String key, Runnable task) {
        pending.compute(key, (ignored, previous) -> {
            if (previous != null) {
                previous.cancel(false);
            }
            if (closed.get()) {
                return null;
            }
            try {
                return worker.schedule(() -> guarded(task), debounceNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                return null;
            }
        });
    }

    private void guarded(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOGGER.log(System.Logger.Level.ERROR, "unexpected failure while reloading plugins of " + directory, e);
        }
    }
}
