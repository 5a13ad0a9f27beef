import io.predicator.JitContext;
import io.predicator.LoadOptions;
import io.predicator.Plugin;
import io.predicator.resolver.statics.StaticResolver;
import io.predicator.toolchain.Toolchain;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Compiles plugin.c, gives it two Java host functions and calls it: native code calling back into Java.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp 'cli/target/lib/*' examples/host-callback/HostCallback.java
 * </pre>
 */
public class HostCallback {
    /** The host function types, in Java: long host_price(int), void host_log(const char *). */
    public interface Price {
        long price(int item);
    }

    public interface Log {
        void log(MemorySegment message);
    }

    public interface OrderTotal {
        long total(MemorySegment items, int count);
    }

    public static void main(String... args) {
        Path source = Path.of(args.length > 0 ? args[0] : "examples/host-callback/plugin.c");
        List<String> log = new CopyOnWriteArrayList<>();
        try (StaticResolver host = StaticResolver.builder()
                     .hostFunction("host_price", Price.class, item -> 100L * item)
                     .hostFunction("host_log", Log.class,
                             message -> log.add(message.reinterpret(Long.MAX_VALUE).getString(0)))
                     .build();
             JitContext jit = JitContext.builder().build();
             Plugin plugin = jit.load(Toolchain.detect().compile(source).source(),
                     LoadOptions.builder().resolver(host).build());
             Arena arena = Arena.ofConfined()) {
            OrderTotal order = plugin.function("order_total", OrderTotal.class);
            MemorySegment items = arena.allocateFrom(ValueLayout.JAVA_INT, 1, 2, 3, 4, 5);
            System.out.println("small order: " + order.total(items, 3));
            System.out.println("large order: " + order.total(items, 5));
            System.out.println("host log: " + log);
        }
    }
}
