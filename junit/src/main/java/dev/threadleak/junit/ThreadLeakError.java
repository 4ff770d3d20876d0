package dev.threadleak.junit;

import java.util.List;

/** A leak check failed: the message lists the leaked threads; {@link #leaks()} gives them as data. */
public class ThreadLeakError extends AssertionError {
    private static final long serialVersionUID = 1L;

    private final transient List<LeakedThread> leaks;

    public ThreadLeakError(String message, List<LeakedThread> leaks) {
        super(message);
        this.leaks = List.copyOf(leaks);
    }

    public List<LeakedThread> leaks() {
        return leaks;
    }
}
