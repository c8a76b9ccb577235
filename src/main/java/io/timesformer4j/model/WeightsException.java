package io.timesformer4j.model;

import java.io.IOException;

/** A weights file or state dict that cannot be used; the message names the file, key or offset and the reason. */
public class WeightsException extends IOException {
    public WeightsException(String message) {
        super(message);
    }

    public WeightsException(String message, Throwable cause) {
        super(message, cause);
    }
}
