package io.predicator.orc.internal.pipeline;

/**
 * Where one load or one piece compiled on first use spent its time, for JFR events and statistics; filled in by
 * the pipeline's stages (compile threads add under the object's lock).
 */
public final class LoadTimings {
    /** Parsing and checking, nanoseconds. */
    public long parseNanos;
    /** Retargeting and optimising, nanoseconds. */
    public long optimizeNanos;
    /** Code generation, nanoseconds. */
    public long codegenNanos;
    /** Linking untrusted objects once in a compile worker first, nanoseconds; 0 if there were none. */
    public long trialLinkNanos;
    /** Linking into the JIT, nanoseconds. */
    public long linkNanos;
    /** Whether the object came from the object cache. */
    public boolean cacheHit;
    /** How many objects were linked. */
    public int objects;

    /** Creates empty timings. */
    public LoadTimings() {
    }
}
