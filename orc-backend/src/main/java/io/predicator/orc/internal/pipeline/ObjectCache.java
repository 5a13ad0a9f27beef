package io.predicator.orc.internal.pipeline;

import io.predicator.orc.internal.llvm.Llvm;
import io.predicator.Signature;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A content-addressed on-disk cache of compiled objects.
 *
 * <p>The key hashes the module's content with everything that shapes the code: the optimisation level, the LLVM
 * version, the host triple, CPU and features, and this format's version. An entry holds the object, the
 * functions' signatures and the inline-assembly finding, followed by a SHA-256 of all of it: an entry that fails
 * the check (truncated, corrupt, from another writer's crash) is deleted and treated as a miss, never loaded.
 * Entries are written to a temporary file and moved into place atomically, so concurrent processes sharing the
 * directory see either nothing or a whole entry.
 */
final class ObjectCache {
    private static final System.Logger LOGGER = System.getLogger("io.predicator.orc");
    private static final int FORMAT = 3;
    private static final byte[] MAGIC = "PREDICATOR-OBJECT\n".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;
    private final String environment;

    ObjectCache(Path directory) {
        this.directory = directory;
        this.environment = String.join("\0", "format " + FORMAT, Llvm.version(), Llvm.hostTriple(), Llvm.hostCpu(),
                Llvm.hostFeatures());
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the object cache directory " + directory, e);
        }
    }

    /** Returns the key of a module compiled at a level on this host. */
    String key(byte[] content, int level, boolean optimizeIr) {
        MessageDigest digest = sha256();
        digest.update(environment.getBytes(StandardCharsets.UTF_8));
        digest.update((byte) 0);
        digest.update((byte) level);
        digest.update((byte) (optimizeIr ? 1 : 0));
        digest.update(content);
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * Returns the key of one piece of a module compiled on first use: its objects depend only on the module, how
     * it is compiled, and which definitions the piece holds.
     *
     * @param moduleKey the module's {@link #key}
     * @param functions which functions the piece defines, in module order
     * @param variables which global variables the piece defines, in module order
     */
    String pieceKey(String moduleKey, boolean[] functions, boolean[] variables) {
        MessageDigest digest = sha256();
        digest.update(("piece\0" + moduleKey + "\0").getBytes(StandardCharsets.UTF_8));
        for (boolean[] definitions : List.of(functions, variables)) {
            BitSet bits = new BitSet(definitions.length);
            for (int i = 0; i < definitions.length; i++) {
                bits.set(i, definitions[i]);
            }
            digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(definitions.length).array());
            digest.update(bits.toByteArray());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Returns whether there is an entry for a key, damaged or not: {@link #read} then checks it. */
    boolean contains(String key) {
        return Files.isRegularFile(file(key));
    }

    /** Returns the entry for a key, or empty if there is none or it is damaged (then it is deleted). */
    Optional<CompiledModule> read(String key) {
        Path file = file(key);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Cannot read object cache entry " + file + ": " + e);
            return Optional.empty();
        }
        try {
            return Optional.of(decode(bytes));
        } catch (IOException | RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Discarding damaged object cache entry " + file + ": " + e.getMessage());
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // another process may have replaced or removed it; a miss either way
            }
            return Optional.empty();
        }
    }

    private Path file(String key) {
        return directory.resolve(key + ".o.cache");
    }

    /** Stores an entry; failures are logged, never thrown: the cache is an optimisation. */
    void write(String key, CompiledModule output) {
        Path file = file(key);
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, key, ".tmp");
            Files.write(temporary, encode(output));
            try {
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException e) {
            LOGGER.log(System.Logger.Level.WARNING, "Cannot write object cache entry " + file + ": " + e);
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    /** The bytes of a compiled module: the cache's entries, and what a compile worker sends back. */
    static byte[] encode(CompiledModule output) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream(
                output.objects().stream().mapToInt(object -> object.length + 4).sum() + 256);
        DataOutputStream data = new DataOutputStream(buffer);
        data.write(MAGIC);
        data.writeInt(FORMAT);
        data.writeInt(output.signatures().size());
        for (Map.Entry<String, Signature> entry : output.signatures().entrySet()) {
            writeString(data, entry.getKey());
            writeString(data, entry.getValue().toString());
        }
        data.writeBoolean(output.inlineAssembly() != null);
        writeString(data, output.inlineAssembly() == null ? "" : output.inlineAssembly());
        data.writeInt(output.objects().size());
        for (byte[] object : output.objects()) {
            data.writeInt(object.length);
            data.write(object);
        }
        data.flush();
        byte[] body = buffer.toByteArray();
        byte[] checksum = sha256().digest(body);
        return ByteBuffer.allocate(body.length + checksum.length).put(body).put(checksum).array();
    }

    /** Reads {@link #encode}'s bytes, checking their checksum. */
    static CompiledModule decode(byte[] bytes) throws IOException {
        int bodyLength = bytes.length - 32;
        if (bodyLength < MAGIC.length || !Arrays.equals(sha256().digest(Arrays.copyOf(bytes, bodyLength)),
                Arrays.copyOfRange(bytes, bodyLength, bytes.length))) {
            throw new IOException("checksum mismatch");
        }
        DataInputStream data = new DataInputStream(new java.io.ByteArrayInputStream(bytes, 0, bodyLength));
        byte[] magic = data.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC) || data.readInt() != FORMAT) {
            throw new IOException("not an entry of this format");
        }
        int count = data.readInt();
        Map<String, Signature> signatures = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            signatures.put(readString(data), Signature.parse(readString(data)));
        }
        boolean hasInlineAssembly = data.readBoolean();
        String inlineAssembly = readString(data);
        int objectCount = data.readInt();
        List<byte[]> objects = new ArrayList<>();
        for (int i = 0; i < objectCount; i++) {
            int length = data.readInt();
            byte[] object = data.readNBytes(length);
            if (object.length != length) {
                throw new IOException("truncated object");
            }
            objects.add(object);
        }
        return new CompiledModule(objects, signatures, hasInlineAssembly ? inlineAssembly : null);
    }

    /** A string of any length (symbol names can be megabytes; {@code writeUTF} stops at 64 KiB). */
    private static void writeString(DataOutputStream data, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        data.writeInt(bytes.length);
        data.write(bytes);
    }

    private static String readString(DataInputStream data) throws IOException {
        int length = data.readInt();
        byte[] bytes = data.readNBytes(length);
        if (length < 0 || bytes.length != length) {
            throw new IOException("truncated string");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Returns a new SHA-256 digest, which every JDK provides. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }
}
