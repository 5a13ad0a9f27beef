package io.predicator.orc.internal.pipeline;

import io.predicator.MalformedModuleException;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads the members of a static archive in the common {@code ar} format (GNU and BSD member names), skipping the
 * symbol tables. Every header and size is checked against the archive's length.
 */
public final class ArArchive {
    private static final byte[] MAGIC = "!<arch>\n".getBytes(StandardCharsets.US_ASCII);
    private static final int HEADER_SIZE = 60;

    /** One member's name and content. */
    public record Member(String name, byte[] bytes) {
    }

    private ArArchive() {
    }

    /**
     * Returns the archive's members, in order.
     *
     * @param source the module source's name, for messages
     * @param bytes the archive
     * @return the members that carry code or data (symbol tables and name tables are skipped)
     * @throws MalformedModuleException if the archive is damaged
     */
    public static List<Member> members(String source, byte[] bytes) {
        if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new MalformedModuleException(source, "not an ar archive (no !<arch> header)");
        }
        List<Member> members = new ArrayList<>();
        byte[] longNames = null;
        int at = MAGIC.length;
        while (at < bytes.length) {
            if (bytes.length - at == 1 && bytes[at] == '\n') {
                break;
            }
            if (bytes.length - at < HEADER_SIZE) {
                throw new MalformedModuleException(source, "archive member header at offset " + at + " is truncated");
            }
            if (bytes[at + 58] != '`' || bytes[at + 59] != '\n') {
                throw new MalformedModuleException(source, "archive member header at offset " + at + " is corrupt");
            }
            String rawName = ascii(bytes, at, 16).stripTrailing();
            long size = decimal(source, bytes, at + 48, 10, at);
            int data = at + HEADER_SIZE;
            if (size > bytes.length - data) {
                throw new MalformedModuleException(source, "archive member '" + rawName + "' at offset " + at + " claims "
                        + size + " bytes but only " + (bytes.length - data) + " remain; the archive is truncated");
            }
            int length = (int) size;
            String name;
            int contentStart = data;
            int contentLength = length;
            if (rawName.equals("/") || rawName.equals("/SYM64/") || rawName.startsWith("__.SYMDEF")) {
                name = null;
            } else if (rawName.equals("//")) {
                longNames = Arrays.copyOfRange(bytes, data, data + length);
                name = null;
            } else if (rawName.startsWith("#1/")) {
                int nameLength = (int) decimal(source, rawName.substring(3).getBytes(StandardCharsets.US_ASCII), 0,
                        rawName.length() - 3, at);
                if (nameLength > length) {
                    throw new MalformedModuleException(source, "archive member name at offset " + at + " is longer than the member");
                }
                name = new String(bytes, data, nameLength, StandardCharsets.UTF_8).replace("\0", "");
                contentStart += nameLength;
                contentLength -= nameLength;
                if (name.startsWith("__.SYMDEF")) {
                    name = null;
                }
            } else if (rawName.startsWith("/") && rawName.length() > 1) {
                name = longName(source, longNames, rawName, at);
            } else {
                name = rawName.endsWith("/") ? rawName.substring(0, rawName.length() - 1) : rawName;
            }
            if (name != null) {
                members.add(new Member(name, Arrays.copyOfRange(bytes, contentStart, contentStart + contentLength)));
            }
            at = data + length + (length & 1);
        }
        return members;
    }

    private static String longName(String source, byte[] longNames, String rawName, int at) {
        if (longNames == null) {
            throw new MalformedModuleException(source, "archive member at offset " + at + " uses a long name but the "
                    + "archive has no name table");
        }
        long offset = decimal(source, rawName.substring(1).getBytes(StandardCharsets.US_ASCII), 0, rawName.length() - 1, at);
        if (offset >= longNames.length) {
            throw new MalformedModuleException(source, "archive member at offset " + at + " names entry " + offset
                    + " of a " + longNames.length + "-byte name table");
        }
        int end = (int) offset;
        while (end < longNames.length && longNames[end] != '\n') {
            end++;
        }
        String name = new String(longNames, (int) offset, end - (int) offset, StandardCharsets.UTF_8);
        return name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    }

    private static long decimal(String source, byte[] bytes, int from, int length, int headerAt) {
        long value = 0;
        boolean digits = false;
        for (int i = from; i < from + length; i++) {
            byte b = bytes[i];
            if (b == ' ') {
                if (digits) {
                    break;
                }
                continue;
            }
            if (b < '0' || b > '9' || value > Integer.MAX_VALUE) {
                throw new MalformedModuleException(source, "archive member header at offset " + headerAt
                        + " has a corrupt number");
            }
            value = value * 10 + (b - '0');
            digits = true;
        }
        if (!digits) {
            throw new MalformedModuleException(source, "archive member header at offset " + headerAt + " has no size");
        }
        return value;
    }

    private static String ascii(byte[] bytes, int from, int length) {
        return new String(bytes, from, length, StandardCharsets.US_ASCII);
    }
}
