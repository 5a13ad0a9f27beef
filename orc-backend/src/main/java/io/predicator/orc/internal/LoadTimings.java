package io.predicator.orc.internal;

/** Where one load spent its time, for JFR events and statistics; filled in by the thread doing the load. */
final class LoadTimings {
    long parseNanos;
    long optimizeNanos;
    long codegenNanos;
    long linkNanos;
    boolean cacheHit;
    int objects;
}
