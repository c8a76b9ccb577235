package io.timesformer4j.dist;

/** A data-parallel job cannot start or continue; the message is one line naming the rank and the cause. */
public final class DistException extends RuntimeException {
    public DistException(String message) {
        super(message);
    }

    public DistException(String message, Throwable cause) {
        super(message, cause);
    }
}
