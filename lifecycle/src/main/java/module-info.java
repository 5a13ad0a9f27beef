/**
 * Hot swap of plugin versions under load ({@code PluginSlot}) and watched plugin folders ({@code PluginDirectory}).
 */
module io.predicator.lifecycle {
    requires transitive io.predicator;
    requires jdk.jfr;

    exports io.predicator.lifecycle;
}
