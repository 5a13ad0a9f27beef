package io.predicator.cli;

import io.predicator.Signature;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgumentsTests {

    @Test
    void convertsBooleans() {
        assertThat(Arguments.value("i1", "true")).isEqualTo(true);
        assertThat(Arguments.value("i1", "FALSE")).isEqualTo(false);
        assertThat(Arguments.value("i1", "1")).isEqualTo(true);
        assertThat(Arguments.value("i1", "0")).isEqualTo(false);
        assertThatThrownBy(() -> Arguments.value("i1", "yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'yes' is not a boolean: use true, false, 1 or 0");
    }

    @Test
    void convertsDecimalAndHexadecimalIntegersToTheCarrierType() {
        assertThat(Arguments.value("i8", "-128")).isEqualTo((byte) -128);
        assertThat(Arguments.value("i16", "0x7fff")).isEqualTo((short) 32767);
        assertThat(Arguments.value("i32", "42")).isEqualTo(42);
        assertThat(Arguments.value("i32", "-0x10")).isEqualTo(-16);
        assertThat(Arguments.value("i32", "+7")).isEqualTo(7);
        assertThat(Arguments.value("i64", "0X7FFFFFFFFFFFFFFF")).isEqualTo(Long.MAX_VALUE);
        assertThat(Arguments.value("i64", "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
    }

    @Test
    void acceptsTheUnsignedRangeAsTwosComplement() {
        assertThat(Arguments.value("i8", "255")).isEqualTo((byte) -1);
        assertThat(Arguments.value("i8", "0x80")).isEqualTo((byte) -128);
        assertThat(Arguments.value("i16", "65535")).isEqualTo((short) -1);
        assertThat(Arguments.value("i32", "0xFFFFFFFF")).isEqualTo(-1);
        assertThat(Arguments.value("i64", "18446744073709551615")).isEqualTo(-1L);
    }

    @Test
    void rejectsIntegersOutsideTheirWidth() {
        assertThatThrownBy(() -> Arguments.value("i8", "256"))
                .hasMessage("'256' does not fit in 8 bits: use -128 to 255");
        assertThatThrownBy(() -> Arguments.value("i8", "-129"))
                .hasMessage("'-129' does not fit in 8 bits: use -128 to 255");
        assertThatThrownBy(() -> Arguments.value("i32", "4294967296"))
                .hasMessage("'4294967296' does not fit in 32 bits: use -2147483648 to 4294967295");
        assertThatThrownBy(() -> Arguments.value("i64", "0x10000000000000000"))
                .hasMessageContaining("does not fit in 64 bits");
    }

    @Test
    void rejectsTextThatIsNotAnInteger() {
        for (String text : List.of("", "x", "1.5", "0x", "--1", "-+1", "0xg", "1e3", "12abc")) {
            assertThatThrownBy(() -> Arguments.value("i32", text))
                    .as(text)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'" + text + "' is not an integer: use decimal or 0x hexadecimal");
        }
    }

    @Test
    void convertsFloatingPointNumbers() {
        assertThat(Arguments.value("double", "1.5")).isEqualTo(1.5);
        assertThat(Arguments.value("double", "-2e3")).isEqualTo(-2000.0);
        assertThat(Arguments.value("double", "NaN")).isEqualTo(Double.NaN);
        assertThat(Arguments.value("double", "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(Arguments.value("float", "0.25")).isEqualTo(0.25f);
        assertThat(Arguments.value("float", "3")).isEqualTo(3.0f);
    }

    @Test
    void rejectsTextThatIsNotAFloatingPointNumber() {
        assertThatThrownBy(() -> Arguments.value("double", "one")).hasMessage("'one' is not a number");
        assertThatThrownBy(() -> Arguments.value("double", "1.5f")).hasMessage("'1.5f' is not a number");
        assertThatThrownBy(() -> Arguments.value("float", "")).hasMessage("'' is not a number");
        assertThatThrownBy(() -> Arguments.value("float", "1e39")).hasMessage("'1e39' is too large for a float");
    }

    @Test
    void passesStringsAsNulTerminatedUtf8AndNullAsNull() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = Arguments.pointer("grüß", arena);
            assertThat(text.byteSize()).isEqualTo(7);
            assertThat(text.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 6)).isZero();
            assertThat(text.getString(0)).isEqualTo("grüß");
            assertThat(Arguments.pointer("null", arena)).isEqualTo(MemorySegment.NULL);
        }
    }

    @Test
    void convertsAllArgumentsOfACallAndNamesTheOneThatFails() {
        Signature signature = Signature.parse("i64(ptr, i8)");
        try (Arena arena = Arena.ofConfined()) {
            List<Object> values = Arguments.convert("count_char", signature, List.of("banana", "0x61"), arena);
            assertThat(values).hasSize(2);
            assertThat(((MemorySegment) values.get(0)).getString(0)).isEqualTo("banana");
            assertThat(values.get(1)).isEqualTo((byte) 'a');

            assertThatThrownBy(() -> Arguments.convert("count_char", signature, List.of("banana", "a"), arena))
                    .hasMessage("argument 2 of 'count_char' (i8): 'a' is not an integer: use decimal or 0x hexadecimal");
            assertThatThrownBy(() -> Arguments.convert("count_char", signature, List.of("banana"), arena))
                    .hasMessage("'count_char' takes 2 arguments, i64(ptr, i8), but 1 was given");
        }
    }

    @Test
    void formatsResults() {
        assertThat(Arguments.format(null)).isNull();
        assertThat(Arguments.format(5)).isEqualTo("5");
        assertThat(Arguments.format((byte) -1)).isEqualTo("-1");
        assertThat(Arguments.format(true)).isEqualTo("true");
        assertThat(Arguments.format(1.75)).isEqualTo("1.75");
        assertThat(Arguments.format(MemorySegment.ofAddress(0xdeadbeefL))).isEqualTo("0xdeadbeef");
        assertThat(Arguments.format(MemorySegment.NULL)).isEqualTo("0x0");
    }
}
