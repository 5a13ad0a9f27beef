/**
 * The compiler SPI: implement {@link io.predicator.toolchain.spi.PluginCompiler} to let the toolchain build plugins
 * from another language.
 *
 * @since 0.1
 */
package io.predicator.toolchain.spi;
