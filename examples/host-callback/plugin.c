/*
 * A plugin that calls back into its Java host: host_price and host_log are Java methods, exposed to the plugin as
 * C functions through a StaticResolver (FFM upcall stubs). The plugin declares them and the JIT links them when it
 * loads the plugin; a plugin loaded without them fails to load, naming both. HostCallback.java, next to this
 * file, is the host (see examples/README.md).
 */
#include <stdint.h>

/* Provided by the host. */
int64_t host_price(int32_t item);
void host_log(const char *message);

/* Prices an order of count items, asking the host for each price; logs through the host when the order is big. */
int64_t order_total(const int32_t *items, int32_t count) {
    int64_t total = 0;
    for (int32_t i = 0; i < count; i++) {
        total += host_price(items[i]);
    }
    if (total > 1000) {
        host_log("large order");
    }
    return total;
}
