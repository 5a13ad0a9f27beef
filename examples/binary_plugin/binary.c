/*
 * The old crate's binary_plugin, on binary data: a size and a pointer to that many bytes, in and out through
 * memory the host owns.
 *
 *   ./predicator run examples/binary_plugin/binary.c binary_plugin 9 Wikipedia      (Adler-32: prints 300286872)
 *   ./predicator run examples/binary_plugin/binary.c count_zero_bits 2 ab
 */
#include <stddef.h>
#include <stdint.h>

/* The Adler-32 checksum of size bytes at data (as zlib computes it). */
uint32_t binary_plugin(size_t size, const uint8_t *data) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < size; i++) {
        a = (a + data[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}

/* Counts the zero bits in size bytes at data. */
uint64_t count_zero_bits(size_t size, const uint8_t *data) {
    uint64_t zeros = 0;
    for (size_t i = 0; i < size; i++) {
        zeros += 8 - (uint64_t) __builtin_popcount(data[i]);
    }
    return zeros;
}

/* Reverses size bytes in place: the plugin writes into the host's buffer. */
void reverse_bytes(size_t size, uint8_t *data) {
    for (size_t i = 0, j = size; i + 1 < j; i++, j--) {
        uint8_t swap = data[i];
        data[i] = data[j - 1];
        data[j - 1] = swap;
    }
}
