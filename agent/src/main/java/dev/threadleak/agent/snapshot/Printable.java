package dev.threadleak.agent.snapshot;

import java.util.Locale;

/**
 * Text made safe to print, by the two rules threadleak prints by, side by side: what the application names (threads,
 * locks, evidence) can hold anything and is shown with every character that does not show as itself escaped
 * ({@link #of}); a message that echoes what the operator typed (an option) only has to stay one line ({@link #oneLine}).
 * Both write an escape as Java does: backslash, u, four hex digits.
 */
public final class Printable {
    private Printable() {}

    /**
     * {@code text} with control characters (a newline, a terminal escape), lone surrogates and invisible characters
     * ({@link #invisible}: a bidi override) escaped, so each thread stays on its own lines and a thread name does not
     * drive the terminal. A tab stays: jstack's layout indents with it.
     */
    public static String of(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairedSurrogate = Character.isHighSurrogate(c) ? i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))
                    : Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(text.charAt(i - 1));
            boolean escape = c != '\t' && (Character.isISOControl(c) || (Character.isSurrogate(c) && !pairedSurrogate) || invisible(c));
            if (escape && out == null) out = new StringBuilder(text.length() + 16).append(text, 0, i);
            if (escape) out.append(escaped(c));
            else if (out != null) out.append(c);
        }
        return out == null ? text : out.toString();
    }

    /**
     * Characters that move or hide text without showing: format characters (the bidi overrides and isolates that can
     * make a name read backwards, U+202E; zero-width ones) and the line and paragraph separators (U+2028, U+2029),
     * which some terminals and editors break lines at.
     */
    private static boolean invisible(char c) {
        int type = Character.getType(c);
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * {@code message} kept on one line: line breaks (U+0085, U+2028 and U+2029 too), DEL and the other control
     * characters below U+0020 (a NUL) escaped; a line feed, carriage return and tab in the short form the operator
     * would type them in ({@code \n}).
     */
    public static String oneLine(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '\n') out.append("\\n");
            else if (c == '\r') out.append("\\r");
            else if (c == '\t') out.append("\\t");
            else if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || c == '\u0085') out.append(escaped(c));
            else out.append(c);
        }
        return out.toString();
    }

    private static String escaped(char c) {
        return String.format(Locale.ROOT, "\\u%04x", (int) c);
    }
}
