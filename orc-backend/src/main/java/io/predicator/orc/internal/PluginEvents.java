package io.predicator.orc.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder events of plugin loading and unloading; record them with
 * {@code -XX:StartFlightRecording} or {@code jcmd PID JFR.start}. They cost nothing while not recorded.
 */
final class PluginEvents {
    private PluginEvents() {
    }

    @Name("io.predicator.PluginLoad")
    @Label("Plugin Load")
    @Category("Predicator")
    @Description("A plugin was compiled and linked, or failed to be")
    static final class Load extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Format")
        String format;
        @Label("Source Size")
        @DataAmount
        long sourceBytes;
        @Label("Optimization Level")
        int optimizationLevel;
        @Label("Pre-optimized")
        @Description("The IR optimisation pipeline was skipped: the module was optimised when it was built")
        boolean preOptimized;
        @Label("On First Use")
        @Description("The load generated no code: each function is compiled when first asked for (PluginFirstUse)")
        boolean onFirstUse;
        @Label("Parse Time")
        @Timespan
        long parseNanos;
        @Label("Optimization Time")
        @Timespan
        long optimizeNanos;
        @Label("Code Generation Time")
        @Timespan
        long codegenNanos;
        @Label("Trial Link Time")
        @Description("Linking the module's own objects once in a compile worker first; 0 for trusted input and IR")
        @Timespan
        long trialLinkNanos;
        @Label("Link Time")
        @Timespan
        long linkNanos;
        @Label("Object Cache Hit")
        boolean cacheHit;
        @Label("Objects")
        @Description("How many objects were linked: archive members, or the parts of a module compiled in parallel")
        int objects;
        @Label("Failure")
        @Description("The exception's message if the load failed, else empty")
        String failure;
    }

    @Name("io.predicator.PluginFirstUse")
    @Label("Plugin First Use")
    @Category("Predicator")
    @Description("A symbol of a plugin compiled on first use was asked for: what it reaches was compiled and linked, "
            + "or failed to be")
    static final class FirstUse extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Symbol")
        String symbol;
        @Label("Piece")
        @Description("The piece's number: 1 for the plugin's first")
        int piece;
        @Label("Basic Blocks")
        @Description("The basic blocks of the functions compiled, a proxy for the cost")
        long blocks;
        @Label("Optimization Time")
        @Timespan
        long optimizeNanos;
        @Label("Code Generation Time")
        @Timespan
        long codegenNanos;
        @Label("Object Cache Hit")
        boolean cacheHit;
        @Label("Objects")
        @Description("How many objects were linked: the piece's parts, compiled in parallel")
        int objects;
        @Label("Failure")
        @Description("The exception's message if compiling or linking failed, else empty")
        String failure;
    }

    @Name("io.predicator.PluginUnload")
    @Label("Plugin Unload")
    @Category("Predicator")
    @Description("A plugin was unloaded; the event's duration includes waiting for calls in flight")
    static final class Unload extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Memory Freed")
        @DataAmount
        long memoryBytes;
    }

    @Name("io.predicator.PluginFault")
    @Label("Plugin Fault")
    @Category("Predicator")
    @Description("A plugin's code faulted during a call from Java: the call threw PluginFaultException and the plugin "
            + "closed itself")
    static final class Fault extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Function")
        @Description("The exported function the Java caller called")
        String function;
        @Label("Kind")
        String kind;
        @Label("Address")
        @Description("The faulting address of a hardware fault, else 0")
        long address;
        @Label("Message")
        String message;
        @Label("Call Duration")
        @Description("How long the call ran before it faulted or was stopped")
        @Timespan(Timespan.MICROSECONDS)
        long callDuration;
    }

    @Name("io.predicator.ResolutionFailure")
    @Label("Symbol Resolution Failure")
    @Category("Predicator")
    @Description("A plugin referenced symbols its resolver does not provide, or the resolver failed")
    static final class ResolutionFailure extends Event {
        @Label("Plugin")
        String plugin;
        @Label("Symbols")
        String symbols;
        @Label("Resolvers")
        String resolvers;
    }
}
