/*
 * A filter over an array of fixed-size records, as a packet or log pipeline would run it: the host hands over
 * memory it owns (a MemorySegment), the plugin reads it in place and writes the records it keeps.
 *
 *   ./predicator run examples/record-filter-c/filter.c sample_kept 100     (filters a built-in sample: prints 3)
 *
 * RecordFilter.java, next to this file, filters a million records from Java (see examples/README.md).
 */
#include <stddef.h>
#include <stdint.h>

/* 16 bytes, no padding: the Java side lays out the same struct with a MemoryLayout. */
struct record {
    uint32_t id;
    int32_t value;
    uint64_t timestamp;
};

/* Copies the records whose value is above the threshold to out (room for count records); returns how many. */
size_t filter_above(const struct record *in, size_t count, int32_t threshold, struct record *out) {
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (in[i].value > threshold) {
            out[kept++] = in[i];
        }
    }
    return kept;
}

/* Sums the values of the records above the threshold, without copying anything. */
int64_t sum_above(const struct record *in, size_t count, int32_t threshold) {
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        sum += in[i].value > threshold ? in[i].value : 0;
    }
    return sum;
}

/* Runs filter_above over a built-in sample, for trying the filter from the command line. */
int32_t sample_kept(int32_t threshold) {
    static const struct record sample[] = {
        {1, 50, 1000}, {2, 150, 1001}, {3, 99, 1002}, {4, 101, 1003}, {5, 300, 1004}, {6, -7, 1005},
    };
    struct record kept[sizeof sample / sizeof sample[0]];
    return (int32_t) filter_above(sample, sizeof sample / sizeof sample[0], threshold, kept);
}
