package io.predicator.orc.internal.pipeline;

import io.predicator.MalformedModuleException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stage "mark code": gives each executable section of an object a symbol of its own, so that after the link the
 * exact address range of every byte of plugin code is known, whatever compiled it. The runtime stops a call only
 * while the thread runs such code (see {@code runtime.CodeRanges}); objects name their sections only through
 * local symbols, which the linker does not hand out.
 *
 * <p>Each marker is a hidden global function symbol at offset 0 of its section whose size is the section's. The
 * stage appends a new string table and symbol table (and symbol section index table, if there is one) holding the
 * old entries followed by the markers, points the old section headers at them and writes the section header table
 * again at the end: symbols are only appended, after the globals, so no relocation's symbol index moves. The
 * object was validated by {@link ElfObject} first.
 */
final class CodeMarkers {
    /** The prefix of marker names; objects may not use it ({@link ElfObject} refuses them). */
    static final String PREFIX = "__predicator_marker.code.";
    private static final AtomicLong SERIALS = new AtomicLong();
    private static final int SHT_SYMTAB = 2;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_SYMTAB_SHNDX = 18;
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_EXECINSTR = 0x4;
    private static final int SHN_LORESERVE = 0xff00;
    private static final int SHN_XINDEX = 0xffff;
    private static final int SYMBOL_BYTES = 24;
    private static final byte GLOBAL_FUNCTION = 0x12;
    private static final byte HIDDEN = 2;

    private CodeMarkers() {
    }

    /**
     * A section's marker.
     *
     * @param name the marker symbol
     * @param size the section's size
     */
    record Marker(String name, long size) {
    }

    /**
     * An object with its markers.
     *
     * @param bytes the object to link
     * @param markers one per executable section
     */
    record Marked(byte[] bytes, List<Marker> markers) {
    }

    /**
     * Adds the markers to an object.
     *
     * @param object a validated object
     * @return the object to link instead, and its markers; the object itself if it has no code or no symbol table
     */
    static Marked mark(ElfObject object) {
        byte[] bytes = object.bytes();
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int headers = (int) in.getLong(40);
        int count = in.getShort(60) & 0xFFFF;
        if (count == 0) {
            count = (int) in.getLong(headers + 32);
        }
        int symbols = -1;
        int indexes = -1;
        for (int i = 0; i < count; i++) {
            int type = in.getInt(headers + 64 * i + 4);
            if (type == SHT_SYMTAB && symbols < 0) {
                symbols = i;
            }
        }
        if (symbols < 0) {
            return new Marked(bytes, List.of());
        }
        for (int i = 0; i < count; i++) {
            if (in.getInt(headers + 64 * i + 4) == SHT_SYMTAB_SHNDX && in.getInt(headers + 64 * i + 40) == symbols) {
                indexes = i;
            }
        }
        List<Marker> markers = new ArrayList<>();
        List<Integer> sections = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int at = headers + 64 * i;
            long flags = in.getLong(at + 8);
            long size = in.getLong(at + 32);
            boolean code = (flags & (SHF_ALLOC | SHF_EXECINSTR)) == (SHF_ALLOC | SHF_EXECINSTR)
                    && in.getInt(at + 4) != SHT_NOBITS && size > 0;
            // A section past SHN_LORESERVE in an object without a section index table has no symbol, so no
            // relocation can reach it: its code never runs and needs no marker.
            if (code && (i < SHN_LORESERVE || indexes >= 0)) {
                markers.add(new Marker(PREFIX + SERIALS.incrementAndGet(), size));
                sections.add(i);
            }
        }
        if (markers.isEmpty()) {
            return new Marked(bytes, List.of());
        }
        int symbolHeader = headers + 64 * symbols;
        int stringHeader = headers + 64 * in.getInt(symbolHeader + 40);
        byte[] strings = slice(bytes, in, stringHeader);
        byte[] table = slice(bytes, in, symbolHeader);
        byte[] shndx = indexes < 0 ? new byte[0] : slice(bytes, in, headers + 64 * indexes);
        if (indexes >= 0 && shndx.length != table.length / SYMBOL_BYTES * 4) {
            throw new MalformedModuleException(object.name(), "its symbol section index table has "
                    + shndx.length / 4 + " entries for " + table.length / SYMBOL_BYTES + " symbols");
        }

        ByteBuffer newStrings = ByteBuffer.allocate(strings.length + markers.size() * (PREFIX.length() + 21));
        newStrings.put(strings);
        ByteBuffer newTable = ByteBuffer.allocate(table.length + SYMBOL_BYTES * markers.size())
                .order(ByteOrder.LITTLE_ENDIAN).put(table);
        ByteBuffer newIndexes = ByteBuffer.allocate(shndx.length + 4 * markers.size())
                .order(ByteOrder.LITTLE_ENDIAN).put(shndx);
        for (int m = 0; m < markers.size(); m++) {
            int name = newStrings.position();
            newStrings.put(markers.get(m).name().getBytes(StandardCharsets.US_ASCII)).put((byte) 0);
            int section = sections.get(m);
            newTable.putInt(name).put(GLOBAL_FUNCTION).put(HIDDEN)
                    .putShort((short) (section >= SHN_LORESERVE ? SHN_XINDEX : section))
                    .putLong(0).putLong(markers.get(m).size());
            newIndexes.putInt(section >= SHN_LORESERVE ? section : 0);
        }

        int stringsAt = bytes.length;
        int stringsLength = newStrings.position();
        int tableAt = align(stringsAt + stringsLength, 8);
        int indexesAt = align(tableAt + newTable.position(), 8);
        int headersAt = align(indexesAt + (indexes < 0 ? 0 : newIndexes.position()), 8);
        int headerBytes = 64 * count;
        ByteBuffer out = ByteBuffer.allocate(headersAt + headerBytes).order(ByteOrder.LITTLE_ENDIAN);
        out.put(bytes);
        out.put(stringsAt, newStrings.array(), 0, stringsLength);
        out.put(tableAt, newTable.array(), 0, newTable.position());
        if (indexes >= 0) {
            out.put(indexesAt, newIndexes.array(), 0, newIndexes.position());
        }
        out.put(headersAt, bytes, headers, headerBytes);
        out.putLong(40, headersAt);
        relocate(out, headersAt + (stringHeader - headers), stringsAt, stringsLength);
        relocate(out, headersAt + 64 * symbols, tableAt, newTable.position());
        if (indexes >= 0) {
            relocate(out, headersAt + 64 * indexes, indexesAt, newIndexes.position());
        }
        return new Marked(out.array(), List.copyOf(markers));
    }

    private static byte[] slice(byte[] bytes, ByteBuffer in, int header) {
        int offset = (int) in.getLong(header + 24);
        int size = (int) in.getLong(header + 32);
        byte[] copy = new byte[size];
        System.arraycopy(bytes, offset, copy, 0, size);
        return copy;
    }

    private static void relocate(ByteBuffer out, int header, long offset, long size) {
        out.putLong(header + 24, offset);
        out.putLong(header + 32, size);
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
