package io.predicator.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/**
 * Runs the command line in-process with captured output, as {@code predicator ARGS...} would.
 */
final class Cli {
    private Cli() {
    }

    /** What one execution produced. */
    record Result(int exitCode, String out, String err) {
    }

    static Result execute(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = Main.commandLine()
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** Returns the path of a test plugin under {@code src/test/resources/plugins}. */
    static String plugin(String fileName) {
        URL resource = Cli.class.getResource("/plugins/" + fileName);
        if (resource == null) {
            throw new IllegalArgumentException("no test plugin " + fileName);
        }
        try {
            return Path.of(resource.toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
