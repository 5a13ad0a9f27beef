package io.predicator.orc.internal.pipeline;

import io.predicator.JitException;
import io.predicator.MalformedModuleException;
import io.predicator.ModuleFormat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stage "trial link", for untrusted objects and archive members: before this JVM hands objects that it did not
 * compile to JITLink, a compile worker links them, against stand-in addresses for their imports, and unlinks them
 * again. The Java ELF reader ({@link ElfObject}) refuses what it can name first; the trial is the guarantee, since
 * JITLink, like the rest of LLVM, is not hardened against crafted input: a worker that crashes on the objects
 * becomes {@link MalformedModuleException} and this JVM never links them. Link errors in the trial are left to the
 * real link, which reports them with the real imports (a stand-in address may be out of a relocation's reach where
 * the real one is not). Objects the pipeline compiled itself, and trusted input, skip the trial, and so do objects
 * whose trial passed before in this process (by the SHA-256 of their bytes).
 */
final class TrialLinkStage {
    /** Where the stand-ins of the imports point: memory that is mapped, and never run or written by the trial. */
    private static final int STAND_IN_BYTES = 1 << 20;
    /** How many passed trials are remembered: a plugin loaded again (a restart, a swap back) is not tried again. */
    private static final int REMEMBERED = 4_096;
    private final WorkerStage worker = new WorkerStage(1, Long.MAX_VALUE);
    /** The SHA-256 digests of objects whose trial passed, least recently used first. */
    private final Map<String, Boolean> passed = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    };

    /**
     * Links the module source's objects in a worker first, if the load does not trust its input; IR inputs, which
     * the pipeline compiles itself, are left out.
     *
     * @param name the module's name, for messages
     * @param inputs what the module source read as
     * @param request the load's request
     * @param timings receives the trial's time
     */
    void apply(String name, List<Input> inputs, CompileRequest request, LoadTimings timings) {
        List<Input> objects = inputs.stream().filter(input -> !input.isIr()).toList();
        if (!request.untrusted() || objects.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        byte[] content = encode(objects);
        String digest = digest(content);
        synchronized (passed) {
            if (passed.get(digest) != null) {
                timings.trialLinkNanos += System.nanoTime() - start;
                return;
            }
        }
        worker.link(name, content, request);
        synchronized (passed) {
            passed.put(digest, Boolean.TRUE);
        }
        timings.trialLinkNanos += System.nanoTime() - start;
    }

    private static String digest(byte[] content) {
        return HexFormat.of().formatHex(ObjectCache.sha256().digest(content));
    }

    /**
     * The worker's side: links the objects into a JIT of the worker's own, with every import at a stand-in address,
     * and removes them again.
     *
     * @param linker the worker's linker
     * @param name the module's name
     * @param content the objects as {@link #apply} sent them
     * @return an empty compiled module: the trial's only answer is that the worker survived it
     * @throws MalformedModuleException if the objects are damaged, as the reader in this JVM would find
     */
    static CompiledModule inWorker(JitLinker linker, String name, byte[] content) {
        LinkUnit unit = new LinkUnitStage().apply(name, ModuleFormat.OBJECT, decode(name, content), Map.of(), false,
                null);
        Map<String, Long> standIns = new LinkedHashMap<>();
        int i = 0;
        for (String symbol : unit.imports().keySet()) {
            standIns.put(symbol, StandIns.BASE + 16L * (i++ % (STAND_IN_BYTES / 16)));
        }
        try {
            linker.link(unit, standIns, List.of("trial link")).close();
        } catch (JitException linkError) {
            // The real link reports it with the real imports.
        }
        return new CompiledModule(List.of(), Map.of(), null);
    }

    /** The stand-ins' memory, mapped once per worker. */
    private static final class StandIns {
        static final long BASE = Arena.global().allocate(STAND_IN_BYTES, 4096).address();
    }

    private static byte[] encode(List<Input> objects) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(objects.size());
            for (Input object : objects) {
                byte[] objectName = object.name().getBytes(StandardCharsets.UTF_8);
                out.writeInt(objectName.length);
                out.write(objectName);
                out.writeInt(object.bytes().length);
                out.write(object.bytes());
            }
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return bytes.toByteArray();
    }

    private static List<Input> decode(String name, byte[] content) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(content))) {
            int count = in.readInt();
            List<Input> objects = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] objectName = in.readNBytes(in.readInt());
                byte[] bytes = in.readNBytes(in.readInt());
                objects.add(new Input(new String(objectName, StandardCharsets.UTF_8),
                        ModuleFormat.OBJECT, bytes));
            }
            return objects;
        } catch (IOException | RuntimeException e) {
            throw new MalformedModuleException(name, "the objects sent for a trial link are damaged: " + e);
        }
    }
}
