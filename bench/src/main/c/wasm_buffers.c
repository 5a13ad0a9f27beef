/*
 * Linked into the WebAssembly build of compute.c only: room in linear memory for the inputs and outputs, which
 * the benchmark writes before it measures.
 */
#include <stdint.h>

#define BUFFER_BYTES (1 << 20)

static uint8_t input[BUFFER_BYTES] __attribute__((aligned(16)));
static uint8_t output[BUFFER_BYTES] __attribute__((aligned(16)));

uint8_t *input_buffer(void) {
    return input;
}

uint8_t *output_buffer(void) {
    return output;
}
