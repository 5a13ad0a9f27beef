package io.predicator.orc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ways to damage a real module the way a fuzzer would: byte-level mutations of any format, line and token edits of
 * IR text, and edits of the fields of an ELF object's header, section table, symbols and relocations. Every method is
 * a pure function of its input and the {@link Random}, so a seed reproduces a case.
 */
final class Mutations {
    /** Values that break parsers: boundaries of each width, sign bits, and sizes far beyond any file. */
    private static final long[] INTERESTING = {
            0, 1, 2, 3, 4, 7, 8, 15, 16, 24, 63, 64, 127, 128, 255, 256, 4095, 4096, 32767, 32768, 65535, 65536,
            0x7FFF_FFFFL, 0x8000_0000L, 0xFFFF_FFFFL, 1L << 32, 1L << 40, 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, -1,
            -2, -64};
    private static final String[] INTERESTING_NUMBERS = {
            "0", "1", "-1", "2", "7", "255", "256", "65535", "2147483647", "-2147483648", "4294967295",
            "9223372036854775807", "-9223372036854775808", "18446744073709551615", "0.0", "1.0e308", "undef", "poison"};
    private static final Pattern TOKENS = Pattern.compile("\"[^\"\\n]*\"|[%@]?[\\w.$-]+|[^\\s\\w]");

    private Mutations() {
    }

    /** One field of a binary file: where it is, how wide, and what it held. */
    record Field(String name, int offset, int width, long original) {
    }

    /** Random bytes; mostly short, sometimes a few kilobytes. */
    static byte[] randomBytes(Random random) {
        int length = random.nextInt(4) == 0 ? 1 + random.nextInt(16) : 1 + random.nextInt(4096);
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** The given prefix followed by random bytes. */
    static byte[] prefixed(byte[] prefix, Random random) {
        byte[] tail = new byte[random.nextInt(2048)];
        random.nextBytes(tail);
        byte[] bytes = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, bytes, prefix.length, tail.length);
        return bytes;
    }

    /** A prefix of the bytes, 1 to length - 1 long. */
    static byte[] truncated(byte[] original, Random random) {
        return Arrays.copyOf(original, 1 + random.nextInt(original.length - 1));
    }

    /** Flips 1 to 8 random bits anywhere, the magic number included. */
    static byte[] bitFlipped(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int flips = 1 + random.nextInt(8);
        for (int i = 0; i < flips; i++) {
            bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return bytes;
    }

    /** Applies 1 to 4 byte-level edits: overwrite with interesting values, delete, duplicate or insert ranges. */
    static byte[] byteMutated(byte[] original, Random random) {
        byte[] bytes = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int edit = 0; edit < edits && bytes.length > 8; edit++) {
            int at = random.nextInt(bytes.length);
            int span = Math.min(bytes.length - at, 1 + random.nextInt(64));
            switch (random.nextInt(6)) {
                case 0 -> bytes[at] = (byte) INTERESTING[random.nextInt(INTERESTING.length)];
                case 1 -> {
                    if (at + 4 <= bytes.length) {
                        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)
                                .putInt(at, (int) INTERESTING[random.nextInt(INTERESTING.length)]);
                    }
                }
                case 2 -> bytes = concat(Arrays.copyOf(bytes, at), Arrays.copyOfRange(bytes, at + span, bytes.length));
                case 3 -> bytes = concat(Arrays.copyOf(bytes, at + span),
                        Arrays.copyOfRange(bytes, at, bytes.length));
                case 4 -> {
                    byte[] inserted = new byte[1 + random.nextInt(32)];
                    random.nextBytes(inserted);
                    bytes = concat(concat(Arrays.copyOf(bytes, at), inserted), Arrays.copyOfRange(bytes, at, bytes.length));
                }
                default -> {
                    int other = random.nextInt(bytes.length - span + 1);
                    byte[] copy = Arrays.copyOfRange(bytes, other, other + span);
                    System.arraycopy(copy, 0, bytes, at, Math.min(copy.length, bytes.length - at));
                }
            }
        }
        return bytes;
    }

    /** Deletes, duplicates, swaps or moves 1 to 3 lines of IR text. */
    static String lineMutated(String ir, Random random) {
        List<String> lines = new ArrayList<>(ir.lines().toList());
        int edits = 1 + random.nextInt(3);
        for (int edit = 0; edit < edits && lines.size() > 1; edit++) {
            int a = random.nextInt(lines.size());
            int b = random.nextInt(lines.size());
            switch (random.nextInt(4)) {
                case 0 -> lines.remove(a);
                case 1 -> lines.add(b, lines.get(a));
                case 2 -> {
                    String line = lines.get(a);
                    lines.set(a, lines.get(b));
                    lines.set(b, line);
                }
                default -> lines.add(b, lines.remove(a));
            }
        }
        return String.join("\n", lines) + "\n";
    }

    /**
     * Deletes, duplicates or swaps 1 to 3 tokens, replaces one with another token of the module, or a number with an
     * interesting one.
     */
    static String tokenMutated(String ir, Random random) {
        String text = ir;
        int edits = 1 + random.nextInt(3);
        for (int edit = 0; edit < edits; edit++) {
            String current = text;
            List<int[]> spans = new ArrayList<>();
            Matcher matcher = TOKENS.matcher(current);
            while (matcher.find()) {
                if (!isComment(current, matcher.start())) {
                    spans.add(new int[] {matcher.start(), matcher.end()});
                }
            }
            if (spans.size() < 2) {
                break;
            }
            int[] a = spans.get(random.nextInt(spans.size()));
            int[] b = spans.get(random.nextInt(spans.size()));
            String tokenA = current.substring(a[0], a[1]);
            String tokenB = current.substring(b[0], b[1]);
            text = switch (random.nextInt(5)) {
                case 0 -> current.substring(0, a[0]) + current.substring(a[1]);
                case 1 -> current.substring(0, a[0]) + tokenA + " " + current.substring(a[0]);
                case 2 -> replace(current, a, tokenB);
                case 3 -> a[0] < b[0] && a[1] <= b[0]
                        ? current.substring(0, a[0]) + tokenB + current.substring(a[1], b[0]) + tokenA
                                + current.substring(b[1])
                        : replace(current, a, tokenB);
                default -> {
                    List<int[]> numbers = spans.stream()
                            .filter(span -> current.substring(span[0], span[1]).matches("-?\\d+"))
                            .toList();
                    int[] target = numbers.isEmpty() ? a : numbers.get(random.nextInt(numbers.size()));
                    yield replace(current, target, INTERESTING_NUMBERS[random.nextInt(INTERESTING_NUMBERS.length)]);
                }
            };
        }
        return text;
    }

    /** The fields of an ELF64 little-endian header that a loader reads. */
    static List<Field> elfHeaderFields(byte[] object) {
        return List.of(
                field(object, "e_ident[EI_CLASS]", 4, 1), field(object, "e_ident[EI_DATA]", 5, 1),
                field(object, "e_ident[EI_VERSION]", 6, 1), field(object, "e_ident[EI_OSABI]", 7, 1),
                field(object, "e_type", 16, 2), field(object, "e_machine", 18, 2), field(object, "e_version", 20, 4),
                field(object, "e_entry", 24, 8), field(object, "e_phoff", 32, 8), field(object, "e_shoff", 40, 8),
                field(object, "e_flags", 48, 4), field(object, "e_ehsize", 52, 2), field(object, "e_phentsize", 54, 2),
                field(object, "e_phnum", 56, 2), field(object, "e_shentsize", 58, 2), field(object, "e_shnum", 60, 2),
                field(object, "e_shstrndx", 62, 2));
    }

    /** Every field of the section headers, the symbols and the relocations of an ELF64 relocatable object. */
    static List<Field> elfTableFields(byte[] object) {
        ByteBuffer buffer = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        int sectionTable = Math.toIntExact(buffer.getLong(40));
        int sectionCount = buffer.getShort(60) & 0xFFFF;
        List<Field> fields = new ArrayList<>();
        String[][] sectionFields = {{"sh_name", "0", "4"}, {"sh_type", "4", "4"}, {"sh_flags", "8", "8"},
                {"sh_addr", "16", "8"}, {"sh_offset", "24", "8"}, {"sh_size", "32", "8"}, {"sh_link", "40", "4"},
                {"sh_info", "44", "4"}, {"sh_addralign", "48", "8"}, {"sh_entsize", "56", "8"}};
        for (int section = 1; section < sectionCount; section++) {
            int header = sectionTable + 64 * section;
            for (String[] spec : sectionFields) {
                fields.add(field(object, "section " + section + " " + spec[0], header + Integer.parseInt(spec[1]),
                        Integer.parseInt(spec[2])));
            }
            int type = buffer.getInt(header + 4);
            int offset = Math.toIntExact(buffer.getLong(header + 24));
            int size = Math.toIntExact(buffer.getLong(header + 32));
            if (type == 2) { // SHT_SYMTAB
                for (int at = offset + 24; at + 24 <= offset + size; at += 24) {
                    String symbol = "symbol " + (at - offset) / 24 + " ";
                    fields.add(field(object, symbol + "st_name", at, 4));
                    fields.add(field(object, symbol + "st_info", at + 4, 1));
                    fields.add(field(object, symbol + "st_other", at + 5, 1));
                    fields.add(field(object, symbol + "st_shndx", at + 6, 2));
                    fields.add(field(object, symbol + "st_value", at + 8, 8));
                    fields.add(field(object, symbol + "st_size", at + 16, 8));
                }
            } else if (type == 4) { // SHT_RELA
                for (int at = offset; at + 24 <= offset + size; at += 24) {
                    String relocation = "section " + section + " relocation " + (at - offset) / 24 + " ";
                    fields.add(field(object, relocation + "r_offset", at, 8));
                    fields.add(field(object, relocation + "r_type", at + 8, 4));
                    fields.add(field(object, relocation + "r_sym", at + 12, 4));
                    fields.add(field(object, relocation + "r_addend", at + 16, 8));
                }
            }
        }
        return fields;
    }

    /** Sets 1 to {@code maxEdits} of the fields to interesting values; returns the bytes and what was done. */
    static Edited editFields(byte[] original, List<Field> fields, int maxEdits, Random random) {
        byte[] bytes = original.clone();
        ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        StringBuilder description = new StringBuilder();
        int edits = 1 + random.nextInt(maxEdits);
        for (int edit = 0; edit < edits; edit++) {
            Field field = fields.get(random.nextInt(fields.size()));
            long value = switch (random.nextInt(4)) {
                case 0 -> field.original() + (random.nextBoolean() ? 1 : -1);
                case 1 -> random.nextBoolean() ? original.length + random.nextInt(3) - 1 : field.original() * 2;
                case 2 -> field.name().endsWith("r_type") ? random.nextInt(48) : random.nextLong();
                default -> INTERESTING[random.nextInt(INTERESTING.length)];
            };
            switch (field.width()) {
                case 1 -> buffer.put(field.offset(), (byte) value);
                case 2 -> buffer.putShort(field.offset(), (short) value);
                case 4 -> buffer.putInt(field.offset(), (int) value);
                default -> buffer.putLong(field.offset(), value);
            }
            description.append(edit == 0 ? "" : ", ").append(field.name()).append(": ").append(field.original())
                    .append(" -> ").append(value);
        }
        return new Edited(bytes, description.toString());
    }

    /** Bytes after {@link #editFields} and a description of the edits. */
    record Edited(byte[] bytes, String description) {
    }

    private static Field field(byte[] object, String name, int offset, int width) {
        ByteBuffer buffer = ByteBuffer.wrap(object).order(ByteOrder.LITTLE_ENDIAN);
        long value = switch (width) {
            case 1 -> object[offset] & 0xFF;
            case 2 -> buffer.getShort(offset) & 0xFFFF;
            case 4 -> buffer.getInt(offset) & 0xFFFF_FFFFL;
            default -> buffer.getLong(offset);
        };
        return new Field(name, offset, width, value);
    }

    private static boolean isComment(String text, int position) {
        int lineStart = text.lastIndexOf('\n', position) + 1;
        return text.substring(lineStart, position).contains(";");
    }

    private static String replace(String text, int[] span, String replacement) {
        return text.substring(0, span[0]) + replacement + text.substring(span[1]);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
