package io.helmoci.engine;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reports bytes read to a {@link DownloadListener}. */
final class ProgressInputStream extends FilterInputStream {
    private final DownloadListener listener;
    private final long total;
    private long read;

    ProgressInputStream(InputStream in, DownloadListener listener, long total) {
        super(in);
        this.listener = listener;
        this.total = total;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            advance(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            advance(n);
        }
        return n;
    }

    private void advance(int n) {
        read += n;
        listener.progress(read, total);
    }
}
