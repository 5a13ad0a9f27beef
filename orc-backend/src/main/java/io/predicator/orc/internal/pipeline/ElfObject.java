package io.predicator.orc.internal.pipeline;

import io.predicator.MalformedModuleException;
import io.predicator.UnsupportedModuleException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * A validated ELF64 relocatable object for the host (x86-64, little endian): its exported definitions and the
 * symbols it leaves undefined.
 *
 * <p>Every offset, size and index is bounds-checked in Java before LLVM's linker sees the bytes, so random or
 * truncated input fails here with a {@link MalformedModuleException} instead of reaching native code. Objects
 * with thread-locals or static constructors are refused: neither works through LLVM's C API.
 */
public final class ElfObject {
    static final int EM_X86_64 = 62;
    /** The largest object, and the largest zero-filled section, a plugin may have: 1 GiB. */
    static final long MAX_SIZE = 1L << 30;

    private static final int SHT_SYMTAB = 2;
    private static final int SHT_STRTAB = 3;
    private static final int SHT_RELA = 4;
    private static final int SHT_NOBITS = 8;
    private static final int SHT_REL = 9;
    private static final int SHT_INIT_ARRAY = 14;
    private static final int SHT_FINI_ARRAY = 15;
    private static final int SHT_PREINIT_ARRAY = 16;
    private static final long SHF_ALLOC = 0x2;
    private static final long SHF_EXECINSTR = 0x4;
    private static final long SHF_TLS = 0x400;
    private static final int SHN_UNDEF = 0;
    private static final int SHN_LORESERVE = 0xff00;
    private static final int SHN_COMMON = 0xfff2;
    private static final int SHN_XINDEX = 0xffff;
    private static final int STB_LOCAL = 0;
    private static final int STB_WEAK = 2;
    private static final int STT_SECTION = 3;
    private static final int STT_FILE = 4;
    private static final int STT_FUNC = 2;
    private static final int R_X86_64_PLT32 = 4;
    private static final int R_X86_64_GOTPCRELX = 41;
    private static final int R_X86_64_REX_GOTPCRELX = 42;
    private static final int STT_TLS = 6;
    private static final int STT_GNU_IFUNC = 10;
    private static final int STV_INTERNAL = 1;
    private static final int STV_HIDDEN = 2;

    /**
     * A symbol the object defines: exported unless hidden (hidden ones resolve references from the plugin's other
     * objects but are never handed out).
     */
    public record Definition(String name, boolean function, boolean weak, long size, boolean hidden) {
        /** Returns whether callers may look the symbol up. */
        public boolean exported() {
            return !hidden && !name.startsWith(ModuleSplitter.LOCAL_PREFIX);
        }
    }

    /**
     * A symbol the object references but does not define.
     *
     * @param name the symbol
     * @param weak whether it may stay undefined
     * @param callOnly whether the object only calls it (every relocation that names it is a call's or a tail jump's,
     *        {@code R_X86_64_PLT32}): the object never takes its address, so a gate may stand in for it
     */
    public record Reference(String name, boolean weak, boolean callOnly) {
    }

    private final String name;
    private final byte[] bytes;
    private final List<Definition> definitions;
    private final List<Reference> references;
    private final long codeBytes;
    private final long dataBytes;

    private ElfObject(String name, byte[] bytes, List<Definition> definitions, List<Reference> references,
                      long codeBytes, long dataBytes) {
        this.name = name;
        this.bytes = bytes;
        this.definitions = List.copyOf(definitions);
        this.references = List.copyOf(references);
        this.codeBytes = codeBytes;
        this.dataBytes = dataBytes;
    }

    /**
     * Validates and reads an object.
     *
     * @param sourceName the module source's name, for messages
     * @param bytes the object's bytes; kept, not copied
     * @return the object
     * @throws MalformedModuleException if the bytes are not a sound x86-64 ELF relocatable object
     * @throws UnsupportedModuleException if the object uses thread-locals or static constructors
     */
    public static ElfObject parse(String sourceName, byte[] bytes) {
        return new Reader(sourceName, bytes).read();
    }

    /** Returns the name used in messages. */
    public String name() {
        return name;
    }

    /** Returns the object's bytes. */
    public byte[] bytes() {
        return bytes;
    }

    /** Returns the global and weak definitions, exported or hidden. */
    public List<Definition> definitions() {
        return definitions;
    }

    /** Returns the undefined symbols the object references. */
    public List<Reference> references() {
        return references;
    }

    /** Returns the size of the executable sections loaded into memory. */
    public long codeBytes() {
        return codeBytes;
    }

    /** Returns the size of the other sections loaded into memory (read-only data, data, zero-filled). */
    public long dataBytes() {
        return dataBytes;
    }

    private static final class Reader {
        private final String source;
        private final byte[] bytes;
        private final ByteBuffer buffer;
        /** The bytes of the zero-filled sections, which common symbols add to. */
        private long zeroFilledSections;

        Reader(String source, byte[] bytes) {
            this.source = source;
            this.bytes = bytes;
            this.buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        }

        ElfObject read() {
            if (bytes.length < 64 || bytes[0] != 0x7F || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
                throw malformed("not an ELF object (" + bytes.length + " bytes, ELF header needs 64)");
            }
            int elfClass = bytes[4];
            int data = bytes[5];
            int machine = u16(18);
            if (machine != EM_X86_64 || elfClass != 2 || data != 1) {
                throw malformed("the object is built for " + architecture(machine, elfClass, data)
                        + " but this host is x86-64; compile the plugin for x86_64");
            }
            int type = u16(16);
            if (type != 1) {
                throw malformed(switch (type) {
                    case 2 -> "it is an executable, not a relocatable object; compile with -c";
                    case 3 -> "it is a shared library, not a relocatable object; load .o or .a files, or IR";
                    case 4 -> "it is a core dump";
                    default -> "ELF type " + type + " is not a relocatable object";
                });
            }
            long sectionOffset = u64(40);
            int sectionEntrySize = u16(58);
            long sectionCount = u16(60);
            int stringSectionIndex = u16(62);
            if (sectionOffset == 0) {
                throw malformed("it has no section headers");
            }
            if (sectionEntrySize != 64) {
                throw malformed("section header size is " + sectionEntrySize + ", expected 64");
            }
            checkRange(sectionOffset, 64, "section header table");
            if (sectionCount == 0) {
                sectionCount = u64(sectionOffset + 32);
            }
            if (stringSectionIndex == SHN_XINDEX) {
                stringSectionIndex = (int) u32(sectionOffset + 40);
            }
            checkRange(sectionOffset, sectionCount * 64, "section header table");
            Section[] sections = new Section[(int) sectionCount];
            for (int i = 0; i < sections.length; i++) {
                sections[i] = section(sectionOffset + 64L * i, i);
                if (sections[i].type == SHT_NOBITS) {
                    zeroFilledSections += sections[i].size; // each at most MAX_SIZE: no overflow
                }
            }
            if (zeroFilledSections > MAX_SIZE) {
                throw unsupported("its zero-filled sections ask for " + zeroFilledSections + " bytes of zeroed memory, "
                        + "more than the " + MAX_SIZE + " a plugin may have");
            }
            if (stringSectionIndex >= sections.length) {
                throw malformed("section name table index " + stringSectionIndex + " is out of range");
            }
            Section names = sections[stringSectionIndex];
            for (Section section : sections) {
                section.name = string(names, section.nameOffset, "section name");
            }
            checkSupported(sections);

            List<Definition> definitions = new ArrayList<>();
            List<Reference> references = new ArrayList<>();
            Section symbolTable = null;
            for (Section section : sections) {
                if (section.type == SHT_SYMTAB) {
                    if (symbolTable != null) {
                        throw malformed("it has more than one symbol table");
                    }
                    symbolTable = section;
                }
            }
            long symbolCount = 0;
            List<Integer> referenceSymbols = new ArrayList<>();
            if (symbolTable != null) {
                symbolCount = readSymbols(symbolTable, sections, definitions, references, referenceSymbols);
            }
            BitSet called = new BitSet();
            BitSet otherwiseUsed = new BitSet();
            for (Section section : sections) {
                if (section.type == SHT_RELA || section.type == SHT_REL) {
                    checkRelocations(section, sections, symbolTable, symbolCount, called, otherwiseUsed);
                }
            }
            for (int i = 0; i < references.size(); i++) {
                Reference reference = references.get(i);
                int symbol = referenceSymbols.get(i);
                references.set(i, new Reference(reference.name(), reference.weak(),
                        called.get(symbol) && !otherwiseUsed.get(symbol)));
            }
            long codeBytes = 0;
            long dataBytes = 0;
            for (Section section : sections) {
                if ((section.flags & SHF_ALLOC) != 0) {
                    if ((section.flags & SHF_EXECINSTR) != 0) {
                        codeBytes += section.size;
                    } else {
                        dataBytes += section.size;
                    }
                }
            }
            return new ElfObject(source, bytes, definitions, references, codeBytes, dataBytes);
        }

        /**
         * Checks a common symbol, whose size JITLink allocates as zeroed memory and whose value is its alignment: an
         * unchecked size wrapped JITLink's layout to an empty allocation that it then wrote to (SIGSEGV).
         *
         * @return the common symbols' bytes so far, this one's included
         */
        private long checkCommon(long index, String symbolName, long alignment, long size, long before) {
            if (size < 0 || size > MAX_SIZE) {
                throw malformed("common symbol " + index + " ('" + symbolName + "') asks for "
                        + Long.toUnsignedString(size) + " bytes of zeroed memory, more than the " + MAX_SIZE
                        + " a plugin may have");
            }
            if (alignment <= 0 || Long.bitCount(alignment) != 1 || alignment > MAX_SIZE) {
                throw malformed("common symbol " + index + " ('" + symbolName + "') has alignment "
                        + Long.toUnsignedString(alignment) + ", which is not a power of two up to " + MAX_SIZE);
            }
            long total = before + size;
            if (total + zeroFilledSections > MAX_SIZE) {
                throw unsupported("its zero-filled sections and common symbols ask for "
                        + (total + zeroFilledSections) + " bytes of zeroed memory, more than the " + MAX_SIZE
                        + " a plugin may have");
            }
            return total;
        }

        private long readSymbols(Section table, Section[] sections, List<Definition> definitions,
                                 List<Reference> references, List<Integer> referenceSymbols) {
            if (table.entrySize != 24 || table.size % 24 != 0) {
                throw malformed("symbol table entry size " + table.entrySize + " is not 24");
            }
            if (table.link >= sections.length) {
                throw malformed("symbol table names string table " + table.link + ", which does not exist");
            }
            Section strings = sections[(int) table.link];
            long count = table.size / 24;
            checkRange(table.offset, table.size, "the symbol table");
            for (int b = 0; count > 0 && b < 24; b++) {
                if (bytes[(int) table.offset + b] != 0) {
                    // ELF reserves entry 0 (STN_UNDEF) and requires it to be zeros; JITLink crashes formatting the
                    // error for a relocation against a symbol 0 that has a name.
                    throw malformed("symbol 0 of the symbol table is not all zeros, as ELF requires");
                }
            }
            List<String> threadLocals = new ArrayList<>();
            long commonBytes = 0;
            for (long i = 1; i < count; i++) {
                long at = table.offset + 24 * i;
                long nameOffset = u32(at);
                int info = bytes[(int) at + 4] & 0xFF;
                int other = bytes[(int) at + 5] & 0xFF;
                int sectionIndex = u16(at + 6);
                long size = u64(at + 16);
                int binding = info >> 4;
                int symbolType = info & 0xF;
                int visibility = other & 0x3;
                if (sectionIndex != SHN_UNDEF && sectionIndex < SHN_LORESERVE && sectionIndex >= sections.length) {
                    throw malformed("symbol " + i + " refers to section " + sectionIndex + ", which does not exist");
                }
                String symbolName = string(strings, nameOffset, "symbol name");
                if (sectionIndex == SHN_COMMON) {
                    commonBytes = checkCommon(i, symbolName, u64(at + 8), size, commonBytes);
                }
                if (symbolName.startsWith(CodeMarkers.PREFIX)) {
                    throw unsupported("symbol " + i + " is named '" + symbolName + "'; names with the prefix '"
                            + CodeMarkers.PREFIX + "' are reserved for the backend's own use");
                }
                if (symbolType == STT_TLS) {
                    threadLocals.add(symbolName.isEmpty() ? "#" + i : symbolName);
                }
                if (binding == STB_LOCAL || symbolType == STT_SECTION || symbolType == STT_FILE || symbolName.isEmpty()) {
                    continue;
                }
                boolean weak = binding == STB_WEAK;
                if (sectionIndex == SHN_UNDEF) {
                    references.add(new Reference(symbolName, weak, false));
                    referenceSymbols.add((int) i);
                } else {
                    boolean function = symbolType == STT_FUNC || symbolType == STT_GNU_IFUNC;
                    boolean hidden = visibility == STV_HIDDEN || visibility == STV_INTERNAL;
                    definitions.add(new Definition(symbolName, function, weak, size, hidden));
                }
            }
            if (!threadLocals.isEmpty()) {
                throw unsupported("it defines or uses thread-local variables " + threadLocals
                        + "; thread-locals do not work in JIT-loaded plugins: use plain globals or state passed in "
                        + "by the host");
            }
            return count;
        }

        /** Checks a relocation section, and notes which symbols its relocations call and which they use otherwise. */
        private void checkRelocations(Section relocations, Section[] sections, Section symbolTable, long symbolCount,
                                      BitSet called, BitSet otherwiseUsed) {
            int entrySize = relocations.type == SHT_RELA ? 24 : 16;
            if (relocations.entrySize != entrySize || relocations.size % entrySize != 0) {
                throw malformed("relocation section " + relocations.name + " has entry size " + relocations.entrySize);
            }
            if (relocations.info >= sections.length) {
                throw malformed("relocation section " + relocations.name + " applies to section " + relocations.info
                        + ", which does not exist");
            }
            if (symbolTable == null || relocations.link != symbolTable.index) {
                throw malformed("relocation section " + relocations.name + " does not use the symbol table");
            }
            Section target = sections[(int) relocations.info];
            long count = relocations.size / entrySize;
            if (count > 0 && target.type == SHT_NOBITS) {
                // JITLink patches and reads the bytes of the fixup's block, which a zero-fill section lacks.
                throw malformed("relocation section " + relocations.name + " applies to section " + target.name
                        + ", which has no contents (SHT_NOBITS)");
            }
            for (long i = 0; i < count; i++) {
                long at = relocations.offset + entrySize * i;
                long offset = u64(at);
                long info = u64(at + 8);
                long symbol = info >>> 32;
                if (symbol >= symbolCount) {
                    throw malformed("relocation " + i + " of " + relocations.name + " names symbol " + symbol
                            + " of " + symbolCount);
                }
                int type = (int) info;
                (type == R_X86_64_PLT32 ? called : otherwiseUsed).set((int) symbol);
                int width = fixupBytes(type);
                if (offset < 0 || offset >= target.size || target.size - offset < width) {
                    throw malformed("relocation " + i + " of " + relocations.name + " patches " + width
                            + " bytes at offset " + offset + ", outside section " + target.name + " ("
                            + target.size + " bytes)");
                }
                if ((type == R_X86_64_GOTPCRELX && offset < 2) || (type == R_X86_64_REX_GOTPCRELX && offset < 3)) {
                    // JITLink reads the instruction in front of the fixup to relax it.
                    throw malformed("relocation " + i + " of " + relocations.name + " relaxes an instruction that "
                            + "would start before section " + target.name);
                }
            }
        }

        /** The bytes an x86-64 relocation of this type patches; 1 for types JITLink refuses anyway. */
        private static int fixupBytes(int type) {
            return switch (type) {
                case 1, 24, 25, 33 -> 8;                           // 64, PC64, GOTOFF64, SIZE64
                case 2, 3, 4, 9, 10, 11, 26, 32, 41, 42 -> 4;      // PC32, GOT32, PLT32, GOTPCREL, 32, 32S, GOTPC32,
                                                                   // SIZE32, GOTPCRELX, REX_GOTPCRELX
                case 12, 13 -> 2;                                  // 16, PC16
                default -> 1;
            };
        }

        private void checkSupported(Section[] sections) {
            for (Section section : sections) {
                boolean constructors = section.type == SHT_INIT_ARRAY || section.type == SHT_PREINIT_ARRAY
                        || section.type == SHT_FINI_ARRAY || section.name.startsWith(".ctors")
                        || section.name.startsWith(".dtors") || section.name.startsWith(".init_array")
                        || section.name.startsWith(".fini_array") || section.name.startsWith(".preinit_array");
                if (constructors && section.size > 0) {
                    throw unsupported("it has static constructors or destructors (section " + section.name
                            + "); they do not run in JIT-loaded plugins: initialise explicitly from an exported "
                            + "function the host calls");
                }
                if ((section.flags & SHF_TLS) != 0 && section.size > 0) {
                    throw unsupported("it has thread-local storage (section " + section.name + "); thread-locals do "
                            + "not work in JIT-loaded plugins");
                }
            }
        }

        private Section section(long at, int index) {
            Section section = new Section();
            section.index = index;
            section.nameOffset = u32(at);
            section.type = (int) u32(at + 4);
            section.flags = u64(at + 8);
            section.address = u64(at + 16);
            section.offset = u64(at + 24);
            section.size = u64(at + 32);
            section.link = u32(at + 40);
            section.info = u32(at + 44);
            section.entrySize = u64(at + 56);
            if (index > 0 && section.type != SHT_NOBITS && section.type != 0) {
                checkRange(section.offset, section.size, "section " + index);
            }
            if (section.size < 0) {
                throw malformed("section " + index + " has a negative size");
            }
            if (Long.compareUnsigned(section.address + section.size, section.address) < 0) {
                throw malformed("section " + index + " at address 0x" + Long.toHexString(section.address) + " with "
                        + section.size + " bytes wraps around the address space");
            }
            if (section.type == SHT_NOBITS && section.size > 0 && (section.flags & SHF_ALLOC) == 0) {
                throw malformed("section " + index + " is zero-filled (SHT_NOBITS) but not allocated (no SHF_ALLOC)");
            }
            if (section.type == SHT_NOBITS && section.size > MAX_SIZE) {
                throw unsupported("section " + index + " asks for " + section.size + " bytes of zeroed memory, more than "
                        + "the " + MAX_SIZE + " a plugin may have");
            }
            return section;
        }

        private String string(Section table, long offset, String what) {
            if (table.type == SHT_STRTAB && table.size > 0) {
                checkRange(table.offset, table.size, "string table " + table.index);
                if (bytes[(int) table.offset] != 0) {
                    throw malformed("string table " + table.index + " does not start with a NUL byte, as ELF "
                            + "requires (offset 0 is the empty name)");
                }
            }
            if (offset == 0) {
                return "";
            }
            if (table.type != SHT_STRTAB) {
                throw malformed(what + " points into section " + table.index + ", which is not a string table");
            }
            checkRange(table.offset, table.size, "string table " + table.index);
            if (offset < 0 || offset >= table.size) {
                throw malformed(what + " offset " + offset + " is outside its string table");
            }
            int start = (int) (table.offset + offset);
            int end = start;
            int limit = (int) (table.offset + table.size);
            while (end < limit && bytes[end] != 0) {
                end++;
            }
            if (end == limit) {
                throw malformed(what + " at offset " + offset + " is not terminated");
            }
            return new String(bytes, start, end - start, StandardCharsets.UTF_8);
        }

        private void checkRange(long offset, long length, String what) {
            if (offset < 0 || length < 0 || offset > bytes.length || length > bytes.length - offset) {
                throw malformed(what + " (offset " + offset + ", " + length + " bytes) lies outside the "
                        + bytes.length + "-byte file; the object is truncated or corrupt");
            }
        }

        private int u16(long at) {
            checkRange(at, 2, "field");
            return buffer.getShort((int) at) & 0xFFFF;
        }

        private long u32(long at) {
            checkRange(at, 4, "field");
            return buffer.getInt((int) at) & 0xFFFFFFFFL;
        }

        private long u64(long at) {
            checkRange(at, 8, "field");
            return buffer.getLong((int) at);
        }

        private MalformedModuleException malformed(String detail) {
            return new MalformedModuleException(source, detail);
        }

        private UnsupportedModuleException unsupported(String detail) {
            return new UnsupportedModuleException(source, detail);
        }

        private static String architecture(int machine, int elfClass, int data) {
            String name = switch (machine) {
                case 3 -> "x86 (32-bit)";
                case 8 -> "MIPS";
                case 20 -> "PowerPC";
                case 21 -> "PowerPC64";
                case 22 -> "s390";
                case 40 -> "ARM (32-bit)";
                case 62 -> "x86-64";
                case 183 -> "AArch64";
                case 243 -> "RISC-V";
                case 247 -> "BPF";
                case 258 -> "LoongArch";
                default -> "machine " + machine;
            };
            return name + (elfClass == 1 ? ", 32-bit ELF" : "") + (data == 2 ? ", big-endian" : "");
        }
    }

    private static final class Section {
        int index;
        long nameOffset;
        int type;
        long address;
        long flags;
        long offset;
        long size;
        long link;
        long info;
        long entrySize;
        String name = "";
    }
}
