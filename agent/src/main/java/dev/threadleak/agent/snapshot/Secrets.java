package dev.threadleak.agent.snapshot;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Masks what looks like a secret in a launch command ({@code sun.java.command}: the main class or jar, then the
 * arguments joined with spaces), the way Spring Boot's actuator sanitizes its {@code /env}: by key, with the
 * value replaced by {@link #MASK}. The rule:
 * <ul>
 *   <li>an argument {@code key=value}, {@code -key=value}, {@code --key=value} or {@code -Dkey=value} whose key
 *       ends (any case) with {@code password}, {@code passwd}, {@code pwd}, {@code passphrase}, {@code secret},
 *       {@code token}, {@code key} or {@code auth}, or holds {@code credential}: its value is masked
 *       ({@code --db-password=******}, {@code -Dapi.token=******}, {@code --apiKey=******});</li>
 *   <li>a flag with no {@code =} and such a name ({@code --password hunter2}): the next argument is masked;</li>
 *   <li>a masked value also takes the arguments after it up to the next one starting with {@code -}: the JVM
 *       joins arguments with spaces, so where a value with spaces ends is not known, and showing too little
 *       beats showing half a password;</li>
 *   <li>a URL with a password ({@code scheme://user:password@host}, {@code jdbc:postgresql://u:p@h/db}) anywhere
 *       in an argument: the password is masked, the user and host stay.</li>
 * </ul>
 * Other words are left alone: a key that only contains a secret word ({@code tokenizer}, {@code keySize},
 * {@code keystore}) is not masked, as in actuator.
 */
public final class Secrets {
    public static final String MASK = "******";
    private static final String[] SECRET_ENDINGS = {"password", "passwd", "pwd", "passphrase", "secret", "token", "key", "auth"};
    /** The password of a URL's user information: after {@code ://user:}, up to the {@code @} before the host. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(://[^/?#@\\s:]*:)[^/?#@\\s]+@");

    private Secrets() {}

    /** The command with every secret value masked (see the class comment); null stays null. */
    public static String mask(String command) {
        if (command == null || command.isEmpty()) return command;
        String[] args = command.split(" ", -1);
        List<String> out = new ArrayList<>(args.length);
        boolean masking = false; // inside a masked value: arguments up to the next "-..." are part of it
        boolean maskNext = false; // after a secret flag without '=': the next argument is its value
        for (String arg : args) {
            if (maskNext) {
                out.add(MASK);
                maskNext = false;
                masking = true;
                continue;
            }
            if (masking && !arg.startsWith("-")) continue; // folded into the mask before it
            masking = false;
            int eq = arg.indexOf('=');
            if (eq > 0 && isSecretKey(key(arg.substring(0, eq)))) {
                if (eq == arg.length() - 1) {
                    out.add(arg); // an empty value hides nothing
                } else {
                    out.add(arg.substring(0, eq + 1) + MASK);
                    masking = true;
                }
            } else if (eq < 0 && arg.startsWith("-") && isSecretKey(key(arg))) {
                out.add(arg);
                maskNext = true;
            } else {
                out.add(URL_PASSWORD.matcher(arg).replaceAll("$1" + MASK + "@"));
            }
        }
        return String.join(" ", out);
    }

    /** The key of {@code --key}, {@code -key} or {@code -Dkey}. */
    private static String key(String flag) {
        if (flag.startsWith("-D")) return flag.substring(2);
        int i = 0;
        while (i < flag.length() && flag.charAt(i) == '-') i++;
        return flag.substring(i);
    }

    /** Ends with a secret word, or holds "credential" (actuator's {@code .*credentials.*}). */
    static boolean isSecretKey(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        if (k.contains("credential")) return true;
        for (String ending : SECRET_ENDINGS) {
            if (k.endsWith(ending)) return true;
        }
        return false;
    }
}
