package io.predicator.lifecycle;

import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.LoadOptions;
import io.predicator.Plugin;
import io.predicator.lifecycle.internal.WatchedDirectory;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Objects.requireNonNull;

/**
 * Keeps the plugins of one folder loaded while their files come, change and go: a new file is loaded, a changed
 * one swapped, a deleted one unloaded. Replacing or unloading a version closes it with the
 * {@linkplain io.predicator.Plugin#DEFAULT_DRAIN default drain}: calls still running in it after the drain are
 * stopped, so a hung call never holds up the folder's other changes for longer.
 *
 * <pre>{@code
 * try (PluginDirectory plugins = PluginDirectory.builder(jit, Path.of("/etc/filters"))
 *         .listener(new PluginDirectory.Listener() {
 *             public void failed(String file, JitException error) { alert(file, error); }
 *         })
 *         .build()) {
 *     IntPredicate spam = plugins.function("spam.ll", "accept", IntPredicate.class);
 *     spam.test(42);   // always the newest spam.ll that loaded
 * }
 * }</pre>
 *
 * <p>Files ending in {@code .ll}, {@code .bc}, {@code .o} and {@code .a} are loaded as they are; other
 * extensions only through a {@link SourceCompiler} registered for them. Hidden files (starting with a dot) are
 * ignored, so writing {@code .spam.ll.tmp} and renaming it to {@code spam.ll} replaces a plugin in one step. Changes
 * are acted on after the file has been quiet for the {@linkplain Builder#debounce(Duration) debounce} interval, so a
 * file written in several steps is loaded once; a file whose content did not change is not reloaded.
 *
 * <p>A file that fails to load is reported to the {@link Listener} and to the {@link System.Logger} named
 * {@code io.predicator.lifecycle.PluginDirectory}; if an earlier version of it loaded, that version keeps serving.
 * Swaps check that the new version still exports every function a {@linkplain #function view} of the file calls,
 * with the same signature, before switching to it. Loads and swaps run one at a time on the directory's worker
 * thread; listeners are called there too.
 *
 * <p>A version that faults closes itself and is loaded again from its source as the {@linkplain
 * Builder#restartPolicy(RestartPolicy) restart policy} allows, on the worker thread; calls that arrive meanwhile
 * wait for it. Past the policy's limit the file's plugin stops and is reported as {@link Listener#failed failed}:
 * calls throw {@link PluginUnavailableException} until the file changes or a {@link #rescan()} retries it.
 *
 * <p>Plugins are named after their file ({@code spam.ll}). Every method is thread-safe.
 *
 * @since 0.1
 */
public interface PluginDirectory extends AutoCloseable {

    /** The extensions loaded without a compiler: IR text, bitcode, objects and archives. */
    Set<String> MODULE_EXTENSIONS = Set.of("ll", "bc", "o", "a");

    /**
     * Starts building a directory watcher.
     *
     * @param context the context that loads the plugins
     * @param directory the folder to watch; it must exist
     * @return a new builder
     */
    static Builder builder(JitContext context, Path directory) {
        return new Builder(context, directory);
    }

    /**
     * Watches a folder with the default settings: 200 ms debounce, default load options, no compilers and no
     * listener (failures are logged).
     *
     * @param context the context that loads the plugins
     * @param directory the folder to watch
     * @return the open directory, with the files present now already loaded (or reported)
     * @throws UncheckedIOException if the folder cannot be read or watched
     */
    static PluginDirectory open(JitContext context, Path directory) {
        return builder(context, directory).build();
    }

    /**
     * Returns the folder being watched.
     *
     * @return the absolute path
     */
    Path path();

    /**
     * Returns the versions serving calls now, by file name.
     *
     * @return a snapshot, sorted by file name
     */
    Map<String, PluginVersion> plugins();

    /**
     * Returns the plugin loaded from a file. The directory owns it: do not close it, and do not keep it, since the
     * next change of the file closes it.
     *
     * @param file the file name, such as {@code spam.ll}
     * @return the plugin, empty if the file has no loaded version
     */
    Optional<Plugin> plugin(String file);

    /**
     * Returns the failure of each file whose latest content did not load (an earlier version may still serve).
     *
     * @return a snapshot, sorted by file name
     */
    Map<String, JitException> failures();

    /**
     * Returns an implementation of a functional interface that calls a function of whichever version of the file
     * is loaded at each call. The file need not exist yet: calls throw {@link PluginUnavailableException} while it has
     * no loaded version. From now on, a new version of the file that lacks this function, or declares it with another
     * signature, is refused and reported.
     *
     * @param file the file name, such as {@code spam.ll}
     * @param symbol the function's name
     * @param functionalInterface the interface whose single abstract method gives the signature
     * @param <T> the interface type
     * @return the view; the same instance for the same file, symbol and interface
     * @throws io.predicator.UnknownSymbolException if the loaded version does not export the function
     * @throws io.predicator.SignatureMismatchException if it declares another signature
     * @throws IllegalArgumentException if {@code file} is not a plain file name, or the interface is not functional
     * @throws io.predicator.AlreadyClosedException if the directory is closed
     */
    <T> T function(String file, String symbol, Class<T> functionalInterface);

    /**
     * Compares the folder with what is loaded and applies the differences now, on the worker thread, and waits for
     * them; also retries files whose latest content failed. Useful where file-system events are unreliable, such
     * as network file systems.
     *
     * @throws io.predicator.AlreadyClosedException if the directory is closed
     */
    void rescan();

    /**
     * Returns whether the directory has been closed.
     *
     * @return true once {@link #close()} has started
     */
    boolean isClosed();

    /**
     * Stops watching, waits for a load in progress, then closes every plugin loaded from the folder; idempotent.
     */
    @Override
    void close();

    /**
     * Hears what a {@link PluginDirectory} did; every method has an empty default. Called on the directory's worker
     * thread, one event at a time; an exception thrown here is logged and otherwise ignored.
     *
     * @since 0.1
     */
    interface Listener {

        /**
         * A file with no loaded version was loaded.
         *
         * @param file the file name
         * @param version the version now serving
         */
        default void loaded(String file, PluginVersion version) {
        }

        /**
         * A changed file replaced the version that was serving.
         *
         * @param file the file name
         * @param result the old (now closed) and the new version
         */
        default void swapped(String file, SwapResult result) {
        }

        /**
         * A file was deleted and its plugin closed.
         *
         * @param file the file name
         * @param last the version that served until then
         */
        default void unloaded(String file, PluginVersion last) {
        }

        /**
         * A file's content failed to load (or to compile, or did not export what views call); the previous version,
         * if any, keeps serving.
         *
         * @param file the file name
         * @param error what went wrong
         */
        default void failed(String file, JitException error) {
        }

        /**
         * A version that faulted was replaced by the same file loaded again. When the restart policy's limit is
         * reached instead, {@link #failed} hears a {@link PluginUnavailableException} whose cause is the fault.
         *
         * @param file the file name
         * @param fault the fault that closed the old version
         * @param result the old (faulted, closed) and the new version
         * @since 0.2
         */
        default void restarted(String file, io.predicator.PluginFaultException fault, SwapResult result) {
        }
    }

    /**
     * Builds a {@link PluginDirectory}; not thread-safe.
     *
     * @since 0.1
     */
    final class Builder {
        private final JitContext context;
        private final Path directory;
        private final Map<String, SourceCompiler> compilers = new LinkedHashMap<>();
        private Duration debounce = Duration.ofMillis(200);
        private LoadOptions options = LoadOptions.defaults();
        private Listener listener = new Listener() {
        };
        private RestartPolicy restarts = RestartPolicy.defaults();

        private Builder(JitContext context, Path directory) {
            this.context = requireNonNull(context, "context is null");
            this.directory = requireNonNull(directory, "directory is null");
        }

        /**
         * Sets how long a file must stay unchanged before it is loaded.
         *
         * @param quietPeriod zero or more; 200 ms unless set
         * @return this builder
         */
        public Builder debounce(Duration quietPeriod) {
            requireNonNull(quietPeriod, "quietPeriod is null");
            if (quietPeriod.isNegative()) {
                throw new IllegalArgumentException("debounce must not be negative: " + quietPeriod);
            }
            this.debounce = quietPeriod;
            return this;
        }

        /**
         * Sets the load options of every plugin; their name is replaced by the file name.
         *
         * @param options the options
         * @return this builder
         */
        public Builder loadOptions(LoadOptions options) {
            this.options = requireNonNull(options, "options is null");
            return this;
        }

        /**
         * Sets the listener that hears about loads, swaps, unloads and failures.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder listener(Listener listener) {
            this.listener = requireNonNull(listener, "listener is null");
            return this;
        }

        /**
         * Sets how often a version that faulted is loaded again from its file.
         *
         * @param policy the policy; {@link RestartPolicy#defaults()} unless set
         * @return this builder
         * @since 0.2
         */
        public Builder restartPolicy(RestartPolicy policy) {
            this.restarts = requireNonNull(policy, "policy is null");
            return this;
        }

        /**
         * Loads files with an extension through a compiler, for example C sources through a toolchain.
         *
         * @param extension the extension without the dot, such as {@code "c"}; not one of
         *                  {@link #MODULE_EXTENSIONS}
         * @param compiler turns such a file into a module
         * @return this builder
         */
        public Builder compiler(String extension, SourceCompiler compiler) {
            requireNonNull(extension, "extension is null");
            requireNonNull(compiler, "compiler is null");
            String normalised = extension.startsWith(".") ? extension.substring(1) : extension;
            normalised = normalised.toLowerCase(Locale.ROOT);
            if (normalised.isEmpty() || normalised.contains(".") || normalised.contains("/")) {
                throw new IllegalArgumentException("not a file extension: '" + extension + "'");
            }
            if (MODULE_EXTENSIONS.contains(normalised)) {
                throw new IllegalArgumentException("." + normalised + " files are loaded without a compiler");
            }
            compilers.put(normalised, compiler);
            return this;
        }

        /**
         * Loads the files present now, then starts watching the folder.
         *
         * @return the open directory; files that failed to load are reported, not thrown
         * @throws IllegalArgumentException if the path is not a directory
         * @throws UncheckedIOException if the folder cannot be watched
         */
        public PluginDirectory build() {
            return WatchedDirectory.open(context, directory, debounce, options, restarts, listener, compilers);
        }
    }
}
