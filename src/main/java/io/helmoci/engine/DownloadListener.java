package io.helmoci.engine;

/** Told how a chart layer download advances, for progress displays. Called on the downloading thread. */
@FunctionalInterface
public interface DownloadListener {
    DownloadListener NONE = (bytesSoFar, totalBytes) -> {};

    /** @param totalBytes the size the manifest announced */
    void progress(long bytesSoFar, long totalBytes);
}
