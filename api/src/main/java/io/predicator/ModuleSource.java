package io.predicator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static java.util.Objects.requireNonNull;

/**
 * The content of a plugin, in one of the {@linkplain ModuleFormat formats} Predicator loads, with a name that
 * error messages use.
 *
 * <p>{@link #of(Path)} and {@link #of(String, byte[])} detect the format from the content: bitcode by its magic
 * number (plain or wrapped), ELF objects by theirs, archives by {@code !<arch>}, and IR text by being text.
 * Content that is none of these fails here with a {@link MalformedModuleException} naming the source. Content
 * that looks right but is damaged fails at load time, with the same exception.
 *
 * <p>Instances are immutable and thread-safe; the bytes are copied in and never exposed for writing.
 *
 * @since 0.1
 */
public final class ModuleSource {
    private static final byte[] BITCODE_MAGIC = {'B', 'C', (byte) 0xC0, (byte) 0xDE};
    private static final byte[] BITCODE_WRAPPER_MAGIC = {(byte) 0xDE, (byte) 0xC0, 0x17, 0x0B};
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};
    private static final byte[] ARCHIVE_MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] THIN_ARCHIVE_MAGIC = "!<thin>\n".getBytes(StandardCharsets.US_ASCII);

    private final String name;
    private final ModuleFormat format;
    private final byte[] bytes;
    private volatile String sha256;

    private ModuleSource(String name, ModuleFormat format, byte[] bytes) {
        this.name = name;
        this.format = format;
        this.bytes = bytes;
    }

    /**
     * Reads a file and detects its format from its content.
     *
     * @param path the plugin file
     * @return the module source, named after the file
     * @throws UncheckedIOException if the file cannot be read
     * @throws MalformedModuleException if the content is empty or of no known format
     */
    public static ModuleSource of(Path path) {
        requireNonNull(path, "path is null");
        byte[] content;
        try {
            content = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read plugin file " + path + ": " + e.getMessage(), e);
        }
        Path fileName = path.getFileName();
        return detect(fileName == null ? path.toString() : fileName.toString(), content);
    }

    /**
     * Detects the format of in-memory content.
     *
     * @param name a name for messages, such as the file name it came from
     * @param bytes the content; copied
     * @return the module source
     * @throws MalformedModuleException if the content is empty or of no known format
     */
    public static ModuleSource of(String name, byte[] bytes) {
        return detect(checkedName(name), bytes.clone());
    }

    /**
     * Creates a source from LLVM IR text.
     *
     * @param name a name for messages
     * @param text the IR
     * @return the module source
     */
    public static ModuleSource ir(String name, String text) {
        requireNonNull(text, "text is null");
        return create(checkedName(name), ModuleFormat.IR_TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Creates a source from LLVM bitcode, plain or with the wrapper header.
     *
     * @param name a name for messages
     * @param bytes the bitcode; copied
     * @return the module source
     * @throws MalformedModuleException if the content does not start with a bitcode magic number
     */
    public static ModuleSource bitcode(String name, byte[] bytes) {
        return explicit(checkedName(name), ModuleFormat.BITCODE, bytes);
    }

    /**
     * Creates a source from an ELF relocatable object.
     *
     * @param name a name for messages
     * @param bytes the object; copied
     * @return the module source
     * @throws MalformedModuleException if the content does not start with the ELF magic number
     */
    public static ModuleSource object(String name, byte[] bytes) {
        return explicit(checkedName(name), ModuleFormat.OBJECT, bytes);
    }

    /**
     * Creates a source from a static archive of ELF objects.
     *
     * @param name a name for messages
     * @param bytes the archive; copied
     * @return the module source
     * @throws MalformedModuleException if the content does not start with {@code !<arch>}
     */
    public static ModuleSource archive(String name, byte[] bytes) {
        return explicit(checkedName(name), ModuleFormat.ARCHIVE, bytes);
    }

    /**
     * Returns the name used in messages.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Returns the format of the content.
     *
     * @return the format
     */
    public ModuleFormat format() {
        return format;
    }

    /**
     * Returns the size of the content.
     *
     * @return the number of bytes
     */
    public int size() {
        return bytes.length;
    }

    /**
     * Returns the content as a read-only buffer.
     *
     * @return a read-only view of the bytes
     */
    public ByteBuffer content() {
        return ByteBuffer.wrap(bytes).asReadOnlyBuffer();
    }

    /**
     * Returns a copy of the content.
     *
     * @return the bytes
     */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    /**
     * Returns the SHA-256 of the content in hexadecimal, computed once.
     *
     * @return the content hash
     */
    public String sha256() {
        String hash = sha256;
        if (hash == null) {
            try {
                hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("every JDK provides SHA-256", e);
            }
            sha256 = hash;
        }
        return hash;
    }

    @Override
    public String toString() {
        return "ModuleSource[" + name + ", " + format + ", " + bytes.length + " bytes]";
    }

    private static ModuleSource explicit(String name, ModuleFormat format, byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        byte[] copy = bytes.clone();
        ModuleFormat detected = detectFormat(name, copy);
        if (detected != format) {
            throw new MalformedModuleException(name, "expected " + describe(format) + " but the content is "
                    + describe(detected));
        }
        return new ModuleSource(name, format, copy);
    }

    private static ModuleSource detect(String name, byte[] bytes) {
        return new ModuleSource(name, detectFormat(name, bytes), bytes);
    }

    private static ModuleSource create(String name, ModuleFormat format, byte[] bytes) {
        if (bytes.length == 0) {
            throw new MalformedModuleException(name, "the content is empty");
        }
        return new ModuleSource(name, format, bytes);
    }

    private static ModuleFormat detectFormat(String name, byte[] bytes) {
        requireNonNull(bytes, "bytes is null");
        if (bytes.length == 0) {
            throw new MalformedModuleException(name, "the content is empty");
        }
        if (startsWith(bytes, BITCODE_MAGIC) || startsWith(bytes, BITCODE_WRAPPER_MAGIC)) {
            return ModuleFormat.BITCODE;
        }
        if (startsWith(bytes, ELF_MAGIC)) {
            return ModuleFormat.OBJECT;
        }
        if (startsWith(bytes, ARCHIVE_MAGIC)) {
            return ModuleFormat.ARCHIVE;
        }
        if (startsWith(bytes, THIN_ARCHIVE_MAGIC)) {
            throw new MalformedModuleException(name, "thin archives reference member files by path and cannot be "
                    + "loaded from memory; create a regular archive (ar rcs without T)");
        }
        if (isText(bytes)) {
            return ModuleFormat.IR_TEXT;
        }
        throw new MalformedModuleException(name, "not LLVM IR text, bitcode, an ELF object or an ar archive (first bytes: "
                + HexFormat.ofDelimiter(" ").formatHex(bytes, 0, Math.min(8, bytes.length)) + ")");
    }

    private static boolean isText(byte[] bytes) {
        for (byte b : bytes) {
            if (b == 0 || (b < 0x20 && b != '\n' && b != '\r' && b != '\t' && b != '\f')) {
                return false;
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        if (bytes.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (bytes[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String describe(ModuleFormat format) {
        return switch (format) {
            case IR_TEXT -> "LLVM IR text";
            case BITCODE -> "LLVM bitcode";
            case OBJECT -> "an ELF object";
            case ARCHIVE -> "an ar archive";
        };
    }

    private static String checkedName(String name) {
        requireNonNull(name, "name is null");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name is blank");
        }
        return name;
    }
}
