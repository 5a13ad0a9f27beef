/**
 * Plumbing that Predicator's own modules share: generated implementations of functional interfaces and the
 * per-thread record of exceptions thrown by host functions. Not an API: the module descriptor exports this package
 * only to the project's own modules, and it may change in any release.
 */
package io.predicator.plumbing;
