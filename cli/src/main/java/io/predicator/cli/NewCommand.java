package io.predicator.cli;

import io.predicator.toolchain.PluginProject;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code predicator new --lang rust|c NAME}: creates a ready plugin project.
 */
@Command(name = "new",
        mixinStandardHelpOptions = true,
        versionProvider = PredicatorCommand.Version.class,
        description = "Creates a ready plugin project: a sample exported function, the build settings a JIT-loaded "
                + "plugin needs, a README and a test.",
        footer = {"",
                "rust: Cargo.toml (staticlib, panic = \"abort\", fat LTO), src/lib.rs (#![no_std], exported functions, "
                        + "the panic handler, tests for cargo test).",
                "c: plugin.c, test.sh (checks the functions through predicator run), README.md.",
                "",
                "Example: predicator new --lang rust my-filter && predicator run --signature 'i32(i32, i32)' my-filter add 2 3"})
final class NewCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = "--lang", paramLabel = "LANG", required = true, converter = SourceOptions.LanguageConverter.class,
            description = "The plugin's language: c or rust.")
    private String language;

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = ".",
            description = "Create the project in DIR/NAME; default the current directory.")
    private Path parent;

    @Parameters(index = "0", paramLabel = "NAME", description = "The plugin's name, also its directory's.")
    private String name;

    @Override
    public Integer call() {
        Path directory = parent.resolve(name);
        List<Path> files;
        try {
            files = PluginProject.create(language, name, directory);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("created " + language + " plugin '" + name + "' in " + directory + ":");
        files.forEach(file -> out.println("  " + directory.relativize(file)));
        out.println(language.equals("rust")
                ? "next: predicator run --signature 'i32(i32, i32)' " + directory + " add 2 3"
                : "next: predicator run " + directory.resolve("plugin.c") + " add 2 3");
        out.flush();
        return 0;
    }
}
