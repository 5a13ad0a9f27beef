package io.predicator.orc.internal.worker;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * What a compile worker and the JVM that uses it say to each other over the worker's standard input and output:
 * one {@link Request}, then one {@link Response}, for as long as the worker lives. Plain data, so that the worker
 * is the only process that ever hands the input to LLVM.
 */
public final class WorkerProtocol {
    /** Marks a request, so that a worker fed anything else stops at once. */
    private static final int MAGIC = 0x50524457; // "PRDW"
    /** The byte a worker writes once it is ready for requests (its JVM started and LLVM loaded). */
    public static final int READY = 'R';
    private static final int OK = 0;
    private static final int FAILED = 1;
    /** Longest message kept from a failure: the start names the problem. */
    private static final int MESSAGE_CHARACTERS = 8_000;

    private WorkerProtocol() {
    }

    /** What a request asks of the worker. */
    public enum Mode {
        /** Compile an IR or bitcode module. */
        COMPILE,
        /** Parse, verify and check an IR or bitcode module without generating code. */
        CHECK,
        /** Link objects (given as {@code TrialLinkStage} encodes them) against stand-in imports, and unlink them. */
        LINK
    }

    /**
     * A compile of one IR or bitcode module, only its checks, or a trial link of objects.
     *
     * @param sourceName the module's name, for messages
     * @param level the optimisation level
     * @param optimizeIr false for code generation only
     * @param allowInlineAssembly whether the module may use inline assembly
     * @param threads how many threads may compile the module
     * @param splitBlocks the size, in basic blocks, from which a module is compiled in parts on those threads
     * @param mode what to do: {@link Mode#CHECK} serves a module compiled on first use, which this JVM then parses
     *        knowing that LLVM can; {@link Mode#LINK} serves objects, which this JVM then links knowing that JITLink
     *        survives them
     * @param content the IR text or bitcode, or the objects
     */
    public record Request(String sourceName, int level, boolean optimizeIr, boolean allowInlineAssembly, int threads,
                          long splitBlocks, Mode mode, byte[] content) {
        /** Writes the request. */
        public void write(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeUTF(shorten(sourceName));
            out.writeInt(level);
            out.writeBoolean(optimizeIr);
            out.writeBoolean(allowInlineAssembly);
            out.writeInt(threads);
            out.writeLong(splitBlocks);
            out.writeByte(mode.ordinal());
            out.writeInt(content.length);
            out.write(content);
            out.flush();
        }

        /**
         * Reads a request.
         *
         * @return the request, or null at the end of the input (the JVM closed it: the worker ends)
         */
        public static Request read(DataInputStream in) throws IOException {
            int magic;
            try {
                magic = in.readInt();
            } catch (EOFException end) {
                return null;
            }
            if (magic != MAGIC) {
                throw new IOException("not a compile request");
            }
            String sourceName = in.readUTF();
            int level = in.readInt();
            boolean optimizeIr = in.readBoolean();
            boolean allowInlineAssembly = in.readBoolean();
            int threads = in.readInt();
            long splitBlocks = in.readLong();
            int mode = in.readUnsignedByte();
            if (mode >= Mode.values().length) {
                throw new IOException("not a compile request: mode " + mode);
            }
            byte[] content = new byte[in.readInt()];
            in.readFully(content);
            return new Request(sourceName, level, optimizeIr, allowInlineAssembly, threads, splitBlocks,
                    Mode.values()[mode], content);
        }
    }

    /**
     * What a compile gave: the compiled module's bytes and where the time went, or the exception it threw, by its
     * simple class name and its parts.
     *
     * @param compiled the compiled module as the object cache encodes it, or null if the compile failed
     * @param parseNanos parsing and checking
     * @param optimizeNanos optimising
     * @param codegenNanos code generation
     * @param failure the simple name of the exception's class, if the compile failed
     * @param sourceName the exception's source name, or empty
     * @param detail the exception's detail (its message without the part its class adds)
     */
    public record Response(byte[] compiled, long parseNanos, long optimizeNanos, long codegenNanos, String failure,
                           String sourceName, String detail) {
        /** A compile that succeeded. */
        public static Response compiled(byte[] compiled, long parseNanos, long optimizeNanos, long codegenNanos) {
            return new Response(compiled, parseNanos, optimizeNanos, codegenNanos, null, "", "");
        }

        /** A compile that threw. */
        public static Response failed(String failure, String sourceName, String detail) {
            return new Response(null, 0, 0, 0, failure, shorten(sourceName), shorten(detail));
        }

        /** Writes the response. */
        public void write(DataOutputStream out) throws IOException {
            if (compiled != null) {
                out.writeByte(OK);
                out.writeLong(parseNanos);
                out.writeLong(optimizeNanos);
                out.writeLong(codegenNanos);
                out.writeInt(compiled.length);
                out.write(compiled);
            } else {
                out.writeByte(FAILED);
                out.writeUTF(failure);
                out.writeUTF(sourceName);
                out.writeUTF(detail);
            }
            out.flush();
        }

        /**
         * Reads a response.
         *
         * @throws EOFException if the worker ended before it answered
         */
        public static Response read(DataInputStream in) throws IOException {
            int status = in.readUnsignedByte();
            if (status == OK) {
                long parse = in.readLong();
                long optimize = in.readLong();
                long codegen = in.readLong();
                byte[] compiled = new byte[in.readInt()];
                in.readFully(compiled);
                return compiled(compiled, parse, optimize, codegen);
            }
            if (status != FAILED) {
                throw new IOException("not a compile response");
            }
            return new Response(null, 0, 0, 0, in.readUTF(), in.readUTF(), in.readUTF());
        }
    }

    /** Keeps a string short enough for {@code writeUTF} (65,535 bytes of modified UTF-8). */
    private static String shorten(String text) {
        return text.length() <= MESSAGE_CHARACTERS ? text : text.substring(0, MESSAGE_CHARACTERS) + "…";
    }
}
