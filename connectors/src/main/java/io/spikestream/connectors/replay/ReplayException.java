package io.spikestream.connectors.replay;

import java.io.IOException;

/** A replay that could not deliver every packet; the message says which packet, where and why. */
public final class ReplayException extends IOException {
    private static final long serialVersionUID = 1L;

    public ReplayException(String message, Throwable cause) {
        super(message, cause);
    }
}
