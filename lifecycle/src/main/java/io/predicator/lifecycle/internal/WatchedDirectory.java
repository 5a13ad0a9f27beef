package io.predicator.lifecycle.internal;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.ModuleSource;
import io.predicator.Plugin;
import io.predicator.PluginFaultException;
import io.predicator.lifecycle.PluginDirectory;
import io.predicator.lifecycle.PluginUnavailableException;
import io.predicator.lifecycle.PluginVersion;
import io.predicator.lifecycle.RestartPolicy;
import io.predicator.lifecycle.SourceCompiler;
import io.predicator.lifecycle.SwapResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The {@link PluginDirectory} implementation: a {@link DirectoryWatcher} turns file events into debounced
 * tasks for one worker thread, which loads, swaps and unloads one {@link HotPlugin} per file.
 */
public final class WatchedDirectory implements PluginDirectory {
    private static final System.Logger LOGGER = System.getLogger(PluginDirectory.class.getName());

    private final JitContext context;
    private final Path directory;
    private final LoadOptions options;
    private final RestartPolicy restarts;
    private final Listener listener;
    private final Map<String, SourceCompiler> compilers;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DirectoryWatcher watcher;

    /** One file's plugin and what was last tried for it. Fields other than {@code plugin} belong to the worker. */
    private static final class Entry {
        final HotPlugin plugin;
        /** Set, under the map's lock, once a view was asked for: the entry then outlives its file. */
        boolean pinned;
        volatile String attemptedHash;
        volatile JitException failure;

        Entry(HotPlugin plugin) {
            this.plugin = plugin;
        }
    }

    private WatchedDirectory(JitContext context, Path directory, Duration debounce, LoadOptions options,
                             RestartPolicy restarts, Listener listener, Map<String, SourceCompiler> compilers) {
        this.context = context;
        this.directory = directory;
        this.options = options;
        this.restarts = restarts;
        this.listener = listener;
        this.compilers = Map.copyOf(compilers);
        this.watcher = new DirectoryWatcher(directory, debounce, this::accepts, file -> apply(file, false),
                () -> scan(false));
    }

    /**
     * Opens a watched directory: registers the watch, loads the files present, then starts the watcher thread.
     *
     * @param context the context
     * @param directory the folder
     * @param debounce the quiet period
     * @param options load options for every file
     * @param restarts how faulted versions are restarted
     * @param listener the listener
     * @param compilers compilers by extension
     * @return the open directory
     */
    public static PluginDirectory open(JitContext context, Path directory, Duration debounce, LoadOptions options,
                                       RestartPolicy restarts, Listener listener,
                                       Map<String, SourceCompiler> compilers) {
        requireNonNull(context, "context is null");
        requireNonNull(directory, "directory is null");
        Path absolute = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute)) {
            throw new IllegalArgumentException("not a directory: " + absolute);
        }
        WatchedDirectory opened = new WatchedDirectory(context, absolute, debounce, options, restarts, listener,
                compilers);
        try {
            opened.watcher.runOnWorker(() -> opened.scan(false));
        } catch (RuntimeException | Error e) {
            opened.close();
            throw e;
        }
        opened.watcher.start();
        LOGGER.log(System.Logger.Level.DEBUG, () -> "watching plugin directory " + absolute + " with "
                + opened.entries.size() + " files");
        return opened;
    }

    @Override
    public Path path() {
        return directory;
    }

    @Override
    public Map<String, PluginVersion> plugins() {
        Map<String, PluginVersion> loaded = new TreeMap<>();
        entries.forEach((file, entry) -> entry.plugin.version().ifPresent(version -> loaded.put(file, version)));
        return Collections.unmodifiableMap(loaded);
    }

    @Override
    public Optional<Plugin> plugin(String file) {
        requireNonNull(file, "file is null");
        Entry entry = entries.get(file);
        return entry == null ? Optional.empty() : entry.plugin.plugin();
    }

    @Override
    public Map<String, JitException> failures() {
        Map<String, JitException> failed = new TreeMap<>();
        entries.forEach((file, entry) -> {
            JitException failure = entry.failure;
            if (failure != null) {
                failed.put(file, failure);
            }
        });
        return Collections.unmodifiableMap(failed);
    }

    @Override
    public <T> T function(String file, String symbol, Class<T> functionalInterface) {
        checkFileName(file);
        requireNonNull(symbol, "symbol is null");
        requireNonNull(functionalInterface, "functionalInterface is null");
        checkOpen();
        Entry entry = entries.compute(file, (name, existing) -> {
            Entry pinned = existing != null ? existing : newEntry(name);
            pinned.pinned = true;
            return pinned;
        });
        return entry.plugin.view(symbol, functionalInterface);
    }

    @Override
    public void rescan() {
        checkOpen();
        watcher.runOnWorker(() -> scan(true));
    }

    @Override
    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        watcher.close();
        RuntimeException failure = null;
        // One drain for the whole folder, as JitContext.close gives one to all its plugins: closing many busy
        // plugins one after the other must not add up their drains.
        long end = System.nanoTime() + Plugin.DEFAULT_DRAIN.toNanos();
        for (Entry entry : entries.values()) {
            try {
                entry.plugin.close(Duration.ofNanos(Math.max(0, end - System.nanoTime())));
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "PluginDirectory[" + directory + ", " + plugins().size() + " plugins" + (closed.get() ? ", closed" : "")
                + "]";
    }

    /** Applies every file present and every file gone; with {@code retry}, also files whose content failed. */
    private void scan(boolean retry) {
        Set<String> present = new HashSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
            for (Path path : files) {
                String file = path.getFileName().toString();
                if (accepts(file)) {
                    present.add(file);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list plugin directory " + directory + ": " + e.getMessage(), e);
        }
        Set<String> known = new HashSet<>(entries.keySet());
        known.addAll(present);
        for (String file : known.stream().sorted().toList()) {
            apply(file, retry);
        }
    }

    /** Brings one file's plugin in line with the file: load, swap, unload or nothing. Runs on the worker. */
    private void apply(String file, boolean retry) {
        if (closed.get()) {
            return;
        }
        Path path = directory.resolve(file);
        byte[] content;
        try {
            content = Files.isRegularFile(path) ? Files.readAllBytes(path) : null;
        } catch (NoSuchFileException e) {
            content = null;
        } catch (IOException e) {
            fail(file, new JitException("Cannot read plugin file " + path + ": " + e.getMessage(), e));
            return;
        }
        if (content == null) {
            unload(file);
            return;
        }
        Entry entry = entry(file);
        String hash = sha256(content);
        if (hash.equals(entry.attemptedHash) && (entry.failure == null || !retry)) {
            return;
        }
        entry.attemptedHash = hash;
        ModuleSource source;
        try {
            source = source(file, path, content);
        } catch (JitException e) {
            fail(file, e);
            return;
        } catch (RuntimeException e) {
            fail(file, new JitException("Cannot prepare plugin file " + path + ": " + e, e));
            return;
        }
        HotPlugin.Installed installed;
        try {
            installed = entry.plugin.install(source, options.toBuilder().name(file).build());
        } catch (JitException e) {
            fail(file, e);
            return;
        } catch (RuntimeException e) {
            fail(file, new JitException("Loading plugin file " + path + " failed: " + e, e));
            return;
        }
        entry.failure = null;
        if (installed.previous().isPresent()) {
            SwapResult result = new SwapResult(installed.previous().get(), installed.current(), installed.loadTime());
            LOGGER.log(System.Logger.Level.INFO, () -> "swapped plugin " + file + " to generation "
                    + result.current().generation() + " in " + result.loadTime().toMillis() + " ms");
            tell(file, listener -> listener.swapped(file, result));
        } else {
            LOGGER.log(System.Logger.Level.INFO, () -> "loaded plugin " + file + " in "
                    + installed.loadTime().toMillis() + " ms");
            tell(file, listener -> listener.loaded(file, installed.current()));
        }
    }

    private void unload(String file) {
        Entry entry = entries.get(file);
        if (entry == null) {
            return;
        }
        entry.attemptedHash = null;
        entry.failure = null;
        Optional<PluginVersion> last = entry.plugin.unload("plugin file '" + file + "' is not in " + directory
                + " (deleted or not yet written)");
        entries.computeIfPresent(file, (name, existing) -> existing.pinned ? existing : null);
        last.ifPresent(version -> {
            LOGGER.log(System.Logger.Level.INFO, () -> "unloaded plugin " + file + " (file deleted)");
            tell(file, listener -> listener.unloaded(file, version));
        });
    }

    private void fail(String file, JitException error) {
        Entry entry = entry(file);
        entry.failure = error;
        String serving = entry.plugin.version()
                .map(version -> "; generation " + version.generation() + " keeps serving")
                .orElse("; it has no loaded version");
        entry.plugin.failedWhileAbsent("plugin file '" + file + "' in " + directory + " failed to load: "
                + error.getMessage(), error);
        LOGGER.log(System.Logger.Level.WARNING, () -> "plugin file " + file + " in " + directory + " failed to load"
                + serving + ": " + error.getMessage());
        LOGGER.log(System.Logger.Level.DEBUG, "failure of plugin file " + file, error);
        tell(file, listener -> listener.failed(file, error));
    }

    private void tell(String file, Consumer<Listener> event) {
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "plugin directory listener failed on " + file, e);
        }
    }

    private ModuleSource source(String file, Path path, byte[] content) {
        SourceCompiler compiler = compilers.get(extension(file));
        if (compiler == null) {
            return ModuleSource.of(file, content);
        }
        ModuleSource compiled = compiler.compile(path);
        if (compiled == null) {
            throw new JitException("The compiler for ." + extension(file) + " files returned nothing for " + path);
        }
        return compiled;
    }

    private Entry entry(String file) {
        return entries.computeIfAbsent(file, this::newEntry);
    }

    private Entry newEntry(String file) {
        return new Entry(new HotPlugin(context, "plugin file '" + file + "' in " + directory, restarts,
                watcher::execute, new Supervised(file)));
    }

    /** Reports how one file's plugin recovered from a fault; runs on the worker. */
    private final class Supervised implements HotPlugin.Supervisor {
        private final String file;

        Supervised(String file) {
            this.file = file;
        }

        @Override
        public void restarted(PluginFaultException fault, HotPlugin.Installed installed) {
            SwapResult result = new SwapResult(installed.previous().orElseThrow(), installed.current(),
                    installed.loadTime());
            LOGGER.log(System.Logger.Level.WARNING, () -> "restarted plugin " + file + " as generation "
                    + result.current().generation() + " after a fault: " + fault.getMessage());
            tell(file, listener -> listener.restarted(file, fault, result));
        }

        @Override
        public void stopped(PluginFaultException fault, PluginUnavailableException stopped) {
            Entry entry = entries.get(file);
            if (entry != null) {
                entry.failure = stopped;
            }
            LOGGER.log(System.Logger.Level.ERROR, stopped.getMessage());
            tell(file, listener -> listener.failed(file, stopped));
        }
    }

    private boolean accepts(String file) {
        if (file.isEmpty() || file.startsWith(".")) {
            return false;
        }
        String extension = extension(file);
        return MODULE_EXTENSIONS.contains(extension) || compilers.containsKey(extension);
    }

    private static String extension(String file) {
        int dot = file.lastIndexOf('.');
        return dot < 0 ? "" : file.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static void checkFileName(String file) {
        requireNonNull(file, "file is null");
        if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.equals(".") || file.equals("..")) {
            throw new IllegalArgumentException("not a plain file name: '" + file + "'");
        }
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new AlreadyClosedException("plugin directory " + directory);
        }
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
