package io.predicator.orc.internal;

/**
 * Sixty-four bytes laid out before {@link CallFrames}' own fields, so that the field every call writes never shares
 * a cache line with another thread's frames (the collector may copy two threads' frames side by side).
 */
@SuppressWarnings("unused") // fields that only take up room
abstract class CallFramesPadding {
    private long p0;
    private long p1;
    private long p2;
    private long p3;
    private long p4;
    private long p5;
    private long p6;
    private long p7;
}
