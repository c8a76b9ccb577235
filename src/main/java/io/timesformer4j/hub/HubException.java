package io.timesformer4j.hub;

import java.io.IOException;

/** A Hub download or cache failure; the message is one line naming the repo or file and the reason. */
public final class HubException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a one-line message. */
    public HubException(String message) {
        super(message);
    }

    /** With a one-line message and the underlying cause. */
    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
