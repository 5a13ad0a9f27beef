/*
 * The kernels of the compute benchmarks, compiled three ways from this one file: to bitcode for the JIT, to a
 * shared library for generic x86-64 (the ahead-of-time baseline) and to WebAssembly for Chicory. Pointers are
 * plain addresses (native) or offsets into linear memory (WebAssembly); no C library calls.
 */
#include <stdint.h>

/* 16 bytes, as ComputeBenchmark lays the records out. */
struct record {
    int32_t id;
    int32_t category;
    int32_t price;
    int32_t quantity;
};

/* A record filter: the revenue of one category's records whose price lies in [low, high]. */
int64_t filter_records(const struct record *records, int32_t count, int32_t category, int32_t low, int32_t high) {
    int64_t revenue = 0;
    for (int32_t i = 0; i < count; i++) {
        const struct record *r = &records[i];
        if (r->category == category && r->price >= low && r->price <= high) {
            revenue += (int64_t) r->price * r->quantity;
        }
    }
    return revenue;
}

/* A pixel filter (gain and bias with saturation): vectorisable, and wider vectors help it directly. */
void adjust_pixels(const uint8_t *in, uint8_t *out, int32_t count, int32_t gain, int32_t bias) {
    for (int32_t i = 0; i < count; i++) {
        int32_t value = ((in[i] * gain) >> 8) + bias;
        out[i] = (uint8_t) (value < 0 ? 0 : value > 255 ? 255 : value);
    }
}

/* FNV-1a, 32 bits: a hash with a serial dependency from byte to byte, so no vectors help. */
int32_t fnv1a(const uint8_t *data, int32_t count) {
    uint32_t hash = 2166136261u;
    for (int32_t i = 0; i < count; i++) {
        hash = (hash ^ data[i]) * 16777619u;
    }
    return (int32_t) hash;
}
