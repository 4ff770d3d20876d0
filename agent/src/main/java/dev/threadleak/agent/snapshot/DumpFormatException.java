package dev.threadleak.agent.snapshot;

/** A dump that cannot be read; the message is one line saying what is wrong. */
public final class DumpFormatException extends Exception {
    public DumpFormatException(String message) {
        super(message);
    }
}
