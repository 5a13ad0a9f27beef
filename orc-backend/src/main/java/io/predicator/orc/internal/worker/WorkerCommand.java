package io.predicator.orc.internal.worker;

import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command that starts a compile worker: this JVM's {@code java}, a class path that holds the backend, its API
 * and LLVM's classes and natives (wherever this JVM found them: class path, module path or a container's class
 * loader), and options for a small process that starts fast.
 *
 * @param arguments the command and its arguments
 */
record WorkerCommand(List<String> arguments) {
    /** The worker's entry point, in the pipeline package whose stages it runs. */
    static final String MAIN = "io.predicator.orc.internal.pipeline.CompileWorkerMain";
    /** Classes and resources whose jars (or directories) the worker needs. */
    private static final List<String> NEEDED_CLASSES = List.of("io.predicator.JitContext",
            "io.predicator.orc.internal.worker.WorkerCommand", "org.bytedeco.javacpp.Loader",
            "org.bytedeco.llvm.global.LLVM");
    private static final List<String> NEEDED_RESOURCES = List.of("org/bytedeco/llvm/linux-x86_64/",
            "org/bytedeco/javacpp/linux-x86_64/");

    /** Where the worker with this process id (or {@code %p}, the JVM's placeholder for it) reports a crash. */
    static Path crashReport(String pid) {
        return Path.of(System.getProperty("java.io.tmpdir"), "predicator-compile-worker-" + pid + ".log");
    }

    /** Builds the command for this JVM. */
    static WorkerCommand forThisJvm() {
        Set<String> path = new LinkedHashSet<>();
        ClassLoader loader = WorkerCommand.class.getClassLoader();
        for (String name : NEEDED_CLASSES) {
            try {
                CodeSource source = Class.forName(name, false, loader).getProtectionDomain().getCodeSource();
                if (source != null && source.getLocation() != null) {
                    path.add(Path.of(source.getLocation().toURI()).toString());
                }
            } catch (ClassNotFoundException | URISyntaxException | IllegalArgumentException ignored) {
                // the class path entries below may still hold it
            }
        }
        for (String resource : NEEDED_RESOURCES) {
            URL url = loader.getResource(resource);
            if (url != null && url.getProtocol().equals("jar")) {
                String file = url.getPath();
                int separator = file.indexOf("!/");
                try {
                    path.add(Path.of(URI.create(file.substring(0, separator))).toString());
                } catch (IllegalArgumentException ignored) {
                    // the class path entries below may still hold it
                }
            }
        }
        for (String property : List.of("java.class.path", "jdk.module.path")) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    path.add(entry);
                }
            }
        }
        List<String> arguments = new ArrayList<>();
        arguments.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        arguments.addAll(List.of("-XX:+UseSerialGC", "-XX:-UsePerfData", "-Xshare:auto",
                "-Xmx1g", "-Xss16m", "--enable-native-access=ALL-UNNAMED", "-Djava.awt.headless=true",
                // A crash report goes where the worker's owner reads it (and deletes it), not into the working
                // directory; the VM's own output stays off standard output, which carries the protocol.
                "-XX:ErrorFile=" + crashReport("%p"), "-XX:-CreateCoredumpOnCrash", "-XX:+DisplayVMOutputToStderr",
                "-D" + MemoryLimit.PROPERTY + "=" + MemoryLimit.BYTES));
        System.getProperties().stringPropertyNames().stream()
                .filter(name -> name.startsWith("org.bytedeco.") || name.startsWith("io.predicator."))
                .sorted()
                .forEach(name -> arguments.add("-D" + name + "=" + System.getProperty(name)));
        arguments.add("-cp");
        arguments.add(String.join(File.pathSeparator, path));
        arguments.add(MAIN);
        return new WorkerCommand(List.copyOf(arguments));
    }
}
