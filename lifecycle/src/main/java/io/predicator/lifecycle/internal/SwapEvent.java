package io.predicator.lifecycle.internal;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.Timespan;

/**
 * The JDK Flight Recorder event of installing a plugin version in a slot or a watched directory: a first load or
 * a swap, successful or not. Its duration covers loading the new version and draining the calls of the old one.
 */
@Name("io.predicator.PluginSwap")
@Label("Plugin Swap")
@Category("Predicator")
@Description("A new version of a plugin was installed (or failed to be) in a slot or a watched directory")
final class SwapEvent extends Event {
    @Label("Plugin")
    String plugin;
    @Label("Source")
    String source;
    @Label("Previous Generation")
    @Description("0 if no version was serving")
    long previousGeneration;
    @Label("Generation")
    @Description("The new version's generation; 0 if the swap failed")
    long generation;
    @Label("Load Time")
    @Timespan
    long loadNanos;
    @Label("Drain Time")
    @Description("How long closing the previous version waited for its calls in flight")
    @Timespan
    long drainNanos;
    @Label("Restart")
    @Description("Whether the version replaced one that faulted, loaded again from the same source")
    boolean restart;
    @Label("Failure")
    @Description("Why the swap failed (the previous version keeps serving), else empty")
    String failure;
}
