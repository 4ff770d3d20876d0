package dev.threadleak.agent.snapshot;

import java.util.Objects;

/** One stack frame. {@code line} is -1 when unknown and -2 for a native method, as in StackTraceElement. */
public record Frame(String className, String method, String file, int line) {

    public static Frame of(StackTraceElement e) {
        return new Frame(e.getClassName(), e.getMethodName(), e.getFileName(), e.getLineNumber());
    }

    /** True for a frame of {@code Object.wait} (wait, wait0): the thread waits on the monitor it names. */
    public boolean objectWait() {
        return isObjectWait(className, method);
    }

    /** The one test of "Object.wait on top", for frames and for raw StackTraceElements alike. */
    public static boolean isObjectWait(String className, String method) {
        return className.equals("java.lang.Object") && method.startsWith("wait");
    }

    /*
     * equals and hashCode written out: a record's own are bootstrapped through ObjectMethods on first use, about 50 ms
     * of method-handle spinning that an exit dump (which keys its stack table by frame) would add to the JVM's exit.
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.line == line && f.className.equals(className) && f.method.equals(method)
                && Objects.equals(f.file, file);
    }

    @Override
    public int hashCode() {
        return ((className.hashCode() * 31 + method.hashCode()) * 31 + Objects.hashCode(file)) * 31 + line;
    }

    /** {@code Class.method(File.java:LINE)}, the way jstack and stack traces print a frame. */
    @Override
    public String toString() {
        return className + "." + method + "(" + location() + ")";
    }

    /**
     * {@code File.java:LINE}, {@code Native Method} or {@code Unknown Source}: what a stack trace puts in parentheses; {@code line LINE}
     * for a frame that has a line but no file (a JFR recording's).
     */
    public String location() {
        if (line == -2) return "Native Method";
        if (file == null) return line >= 0 ? "line " + line : "Unknown Source";
        return line >= 0 ? file + ":" + line : file;
    }

    /** {@code stack} as the JDK's stack trace elements, for what reads those ({@code WaitReason}). */
    public static StackTraceElement[] elements(java.util.List<Frame> stack) {
        StackTraceElement[] out = new StackTraceElement[stack.size()];
        for (int i = 0; i < out.length; i++) {
            Frame f = stack.get(i);
            out[i] = new StackTraceElement(f.className(), f.method(), f.file(), f.line());
        }
        return out;
    }
}
