package io.predicator.lifecycle;

import io.predicator.AlreadyClosedException;
import io.predicator.JitContext;
import io.predicator.JitException;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleSource;
import io.predicator.UnknownSymbolException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PluginDirectory} on a real temporary folder: files added, changed, broken, deleted and written in bursts.
 * Every wait is a bounded poll of the listener's events; nothing sleeps.
 */
class PluginDirectoryTests {
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(30);

    private final JitContext context = JitContext.builder().build();
    private final Events events = new Events();
    private final List<PluginDirectory> opened = new ArrayList<>();

    @TempDir
    Path folder;

    /** What the listener heard, in order. */
    record Event(String kind, String file, PluginVersion version, JitException error) {
    }

    /** Collects events and lets a test wait, with a timeout, for the one it expects. */
    static final class Events implements PluginDirectory.Listener {
        private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
        private final List<Event> seen = new ArrayList<>();

        @Override
        public void loaded(String file, PluginVersion version) {
            queue.add(new Event("loaded", file, version, null));
        }

        @Override
        public void swapped(String file, SwapResult result) {
            queue.add(new Event("swapped", file, result.current(), null));
        }

        @Override
        public void unloaded(String file, PluginVersion last) {
            queue.add(new Event("unloaded", file, last, null));
        }

        @Override
        public void failed(String file, JitException error) {
            queue.add(new Event("failed", file, null, error));
        }

        /** Waits for the next event of a file and kind; fails on timeout. Earlier events stay in {@link #seen}. */
        Event await(String kind, String file) throws InterruptedException {
            return await(event -> event.kind().equals(kind) && event.file().equals(file), kind + " " + file);
        }

        Event await(Predicate<Event> wanted, String description) throws InterruptedException {
            long deadline = System.nanoTime() + EVENT_TIMEOUT.toNanos();
            while (true) {
                Event event = queue.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (event == null) {
                    throw new AssertionError("no '" + description + "' event within " + EVENT_TIMEOUT + "; saw " + seen);
                }
                seen.add(event);
                if (wanted.test(event)) {
                    return event;
                }
            }
        }

        List<Event> seen(String file) {
            queue.drainTo(seen);
            return seen.stream().filter(event -> event.file().equals(file)).toList();
        }
    }

    @AfterEach
    void closeAll() {
        opened.forEach(PluginDirectory::close);
        context.close();
    }

    @Test
    void filesPresentAtStartAreLoadedBeforeBuildReturns() throws Exception {
        write("first.ll", Modules.tagged(1));
        write("second.bc", Modules.bitcode(Modules.tagged(2)));
        write("third.o", Modules.object(Modules.tagged(3)));
        write("fourth.a", Modules.archive("fourth.o", Modules.object(Modules.tagged(4))));
        write("notes.txt", "not a plugin");
        write(".hidden.ll", Modules.tagged(5));

        PluginDirectory directory = open(Duration.ofMillis(50));

        assertThat(directory.plugins()).containsOnlyKeys("first.ll", "second.bc", "third.o", "fourth.a");
        assertThat(directory.function("first.ll", "tag", IntSupplier.class).getAsInt()).isEqualTo(1);
        assertThat(directory.function("second.bc", "tag", IntSupplier.class).getAsInt()).isEqualTo(2);
        assertThat(directory.function("third.o", "tag", IntSupplier.class).getAsInt()).isEqualTo(3);
        assertThat(directory.function("fourth.a", "tag", IntSupplier.class).getAsInt()).isEqualTo(4);
        assertThat(directory.plugin("first.ll")).hasValueSatisfying(plugin ->
                assertThat(plugin.name()).isEqualTo("first.ll"));
        assertThat(context.plugins()).hasSize(4);
    }

    @Test
    void addChangeBreakDeleteAndAddAgain() throws Exception {
        PluginDirectory directory = open(Duration.ofMillis(50));
        IntUnaryOperator apply = directory.function("filter.ll", "apply", IntUnaryOperator.class);
        assertThatThrownBy(() -> apply.applyAsInt(1)).isInstanceOf(PluginUnavailableException.class)
                .hasMessageContaining("filter.ll");

        write("filter.ll", Modules.tagged(1));
        assertThat(events.await("loaded", "filter.ll").version().generation()).isEqualTo(1);
        assertThat(apply.applyAsInt(10)).isEqualTo(31);

        write("filter.ll", Modules.tagged(2));
        assertThat(events.await("swapped", "filter.ll").version().generation()).isEqualTo(2);
        assertThat(apply.applyAsInt(10)).isEqualTo(32);
        assertThat(context.plugins()).as("the old version is unloaded").hasSize(1);

        write("filter.ll", Modules.broken());
        Event failed = events.await("failed", "filter.ll");
        assertThat(failed.error()).isInstanceOf(MalformedModuleException.class).hasMessageContaining("filter.ll");
        assertThat(apply.applyAsInt(10)).as("the previous version keeps serving").isEqualTo(32);
        assertThat(directory.failures()).containsOnlyKeys("filter.ll");
        assertThat(directory.plugins().get("filter.ll").generation()).isEqualTo(2);

        Files.delete(folder.resolve("filter.ll"));
        assertThat(events.await("unloaded", "filter.ll").version().generation()).isEqualTo(2);
        assertThat(directory.plugins()).isEmpty();
        assertThat(directory.failures()).isEmpty();
        assertThat(context.plugins()).isEmpty();
        assertThatThrownBy(() -> apply.applyAsInt(10)).isInstanceOf(PluginUnavailableException.class);

        write("filter.ll", Modules.tagged(3));
        events.await("loaded", "filter.ll");
        assertThat(apply.applyAsInt(10)).as("the same view serves the file again").isEqualTo(33);
    }

    @Test
    void brokenNewFileIsReportedAndCallsSayWhy() throws Exception {
        PluginDirectory directory = open(Duration.ofMillis(50));

        write("bad.ll", Modules.broken());

        assertThat(events.await("failed", "bad.ll").error()).isInstanceOf(MalformedModuleException.class);
        assertThat(directory.plugins()).isEmpty();
        IntUnaryOperator apply = directory.function("bad.ll", "apply", IntUnaryOperator.class);
        assertThatThrownBy(() -> apply.applyAsInt(1))
                .isInstanceOf(PluginUnavailableException.class)
                .hasCauseInstanceOf(MalformedModuleException.class);

        write("bad.ll", Modules.tagged(7));
        events.await("loaded", "bad.ll");
        assertThat(apply.applyAsInt(1)).isEqualTo(10);
        assertThat(directory.failures()).isEmpty();
    }

    @Test
    void changeThatDropsAFunctionAViewCallsIsRefused() throws Exception {
        write("filter.ll", Modules.tagged(1));
        PluginDirectory directory = open(Duration.ofMillis(50));
        IntUnaryOperator apply = directory.function("filter.ll", "apply", IntUnaryOperator.class);

        write("filter.ll", Modules.tagOnly(2));

        assertThat(events.await("failed", "filter.ll").error()).isInstanceOf(UnknownSymbolException.class);
        assertThat(apply.applyAsInt(1)).isEqualTo(4);
        assertThat(directory.plugins().get("filter.ll").generation()).isEqualTo(1);
        assertThatThrownBy(() -> directory.function("filter.ll", "nope", IntSupplier.class))
                .isInstanceOf(UnknownSymbolException.class);
    }

    @Test
    void burstOfWritesLoadsOnceWhenTheFileIsComplete() throws Exception {
        PluginDirectory directory = open(Duration.ofMillis(700));
        String complete = Modules.tagged(42);
        byte[] bytes = complete.getBytes(StandardCharsets.UTF_8);
        Path file = folder.resolve("burst.ll");

        // Written in many steps, as a slow copy would; every prefix but the last is broken IR.
        int step = Math.max(1, bytes.length / 12);
        Files.write(file, new byte[0]);
        for (int offset = 0; offset < bytes.length; offset += step) {
            int length = Math.min(step, bytes.length - offset);
            try (var out = Files.newOutputStream(file, StandardOpenOption.APPEND)) {
                out.write(bytes, offset, length);
            }
        }
        events.await("loaded", "burst.ll");
        // A later file's events are handled after every pending event of the first: once it loaded, the burst's
        // events are all in.
        write("marker.ll", Modules.tagged(0));
        events.await("loaded", "marker.ll");

        assertThat(events.seen("burst.ll")).extracting(Event::kind).containsExactly("loaded");
        assertThat(directory.function("burst.ll", "tag", IntSupplier.class).getAsInt()).isEqualTo(42);
    }

    @Test
    void atomicRenameReplacesAPluginInOneStep() throws Exception {
        write("filter.ll", Modules.tagged(1));
        PluginDirectory directory = open(Duration.ofMillis(50));
        IntSupplier tag = directory.function("filter.ll", "tag", IntSupplier.class);

        Path temporary = write(".filter.ll.tmp", Modules.tagged(2));
        Files.move(temporary, folder.resolve("filter.ll"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);

        events.await("swapped", "filter.ll");
        assertThat(tag.getAsInt()).isEqualTo(2);
        assertThat(events.seen("filter.ll")).extracting(Event::kind).containsExactly("loaded", "swapped");
    }

    @Test
    void unchangedContentIsNotReloaded() throws Exception {
        write("same.ll", Modules.tagged(1));
        PluginDirectory directory = open(Duration.ofMillis(50));

        write("same.ll", Modules.tagged(1));
        write("marker.ll", Modules.tagged(0));
        events.await("loaded", "marker.ll");

        assertThat(events.seen("same.ll")).as("only the initial load").extracting(Event::kind)
                .containsExactly("loaded");
        assertThat(directory.plugins().get("same.ll").generation()).isEqualTo(1);
    }

    @Test
    void sourceFilesGoThroughTheirCompiler() throws Exception {
        // A stand-in for a C toolchain: a .num file holds a number and compiles to a plugin returning it.
        SourceCompiler numbers = path -> {
            String text;
            try {
                text = Files.readString(path).strip();
            } catch (IOException e) {
                throw new JitException("cannot read " + path, e);
            }
            if (!text.matches("-?\\d+")) {
                throw new IllegalArgumentException("not a number: '" + text + "'");
            }
            return ModuleSource.ir(path.getFileName() + ".ll", Modules.tagged(Integer.parseInt(text)));
        };
        write("answer.num", "41");
        PluginDirectory directory = PluginDirectory.builder(context, folder)
                .debounce(Duration.ofMillis(50))
                .listener(events)
                .compiler("num", numbers)
                .build();
        opened.add(directory);
        IntSupplier tag = directory.function("answer.num", "tag", IntSupplier.class);
        assertThat(tag.getAsInt()).isEqualTo(41);
        assertThat(directory.plugins().get("answer.num").sourceName()).isEqualTo("answer.num.ll");

        write("answer.num", "42");
        events.await("swapped", "answer.num");
        assertThat(tag.getAsInt()).isEqualTo(42);

        write("answer.num", "forty-three");
        assertThat(events.await("failed", "answer.num").error())
                .hasMessageContaining("answer.num")
                .hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat(tag.getAsInt()).isEqualTo(42);
    }

    @Test
    void rescanAppliesChangesAndRetriesFailures() throws Exception {
        PluginDirectory directory = open(Duration.ofMillis(50));
        write("a.ll", Modules.tagged(1));
        directory.rescan();
        assertThat(directory.plugins()).containsOnlyKeys("a.ll");

        Files.delete(folder.resolve("a.ll"));
        directory.rescan();
        assertThat(directory.plugins()).isEmpty();
    }

    @Test
    void aFailingListenerDoesNotStopReloads() throws Exception {
        PluginDirectory directory = PluginDirectory.builder(context, folder)
                .debounce(Duration.ofMillis(50))
                .listener(new PluginDirectory.Listener() {
                    @Override
                    public void loaded(String file, PluginVersion version) {
                        events.loaded(file, version);
                        throw new IllegalStateException("listener bug");
                    }

                    @Override
                    public void swapped(String file, SwapResult result) {
                        events.swapped(file, result);
                    }
                })
                .build();
        opened.add(directory);

        write("a.ll", Modules.tagged(1));
        events.await("loaded", "a.ll");
        write("a.ll", Modules.tagged(2));
        events.await("swapped", "a.ll");

        assertThat(directory.function("a.ll", "tag", IntSupplier.class).getAsInt()).isEqualTo(2);
    }

    @Test
    void closeUnloadsEverythingAndViewsThrow() throws Exception {
        write("a.ll", Modules.tagged(1));
        PluginDirectory directory = open(Duration.ofMillis(50));
        IntSupplier tag = directory.function("a.ll", "tag", IntSupplier.class);

        directory.close();
        directory.close();

        assertThat(directory.isClosed()).isTrue();
        assertThat(context.plugins()).isEmpty();
        assertThatThrownBy(tag::getAsInt).isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(() -> directory.function("a.ll", "tag", IntSupplier.class))
                .isInstanceOf(AlreadyClosedException.class);
        assertThatThrownBy(directory::rescan).isInstanceOf(AlreadyClosedException.class);
    }

    @Test
    void builderRejectsWhatCannotWork() throws Exception {
        Path file = write("plain.ll", Modules.tagged(1));
        assertThatThrownBy(() -> PluginDirectory.open(context, file)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PluginDirectory.builder(context, folder).compiler("ll", path -> null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PluginDirectory.builder(context, folder).debounce(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        PluginDirectory directory = open(Duration.ZERO);
        assertThatThrownBy(() -> directory.function("../plain.ll", "tag", IntSupplier.class))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private PluginDirectory open(Duration debounce) {
        PluginDirectory directory = PluginDirectory.builder(context, folder).debounce(debounce).listener(events).build();
        opened.add(directory);
        return directory;
    }

    private Path write(String file, String content) throws IOException {
        return write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    private Path write(String file, byte[] content) throws IOException {
        return Files.write(folder.resolve(file), content);
    }
}
