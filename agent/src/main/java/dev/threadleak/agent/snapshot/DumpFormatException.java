package dev.threadleak.agent.snapshot;

/** A dump that cannot be read; the message is one line saying what is wrong. */
public final class DumpFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DumpFormatException(String message) {
        super(message);
    }
}
