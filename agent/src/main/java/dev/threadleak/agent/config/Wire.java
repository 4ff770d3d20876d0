package dev.threadleak.agent.config;

import dev.threadleak.names.SharedNames;

/**
 * What passes between the CLI's JVM and a JVM that loads the agent: the system properties the agent sets for
 * {@code threadleak attach}, {@code list} and {@code dump} to read, and the attach id that {@code threadleak attach}
 * puts before the agent's options.
 */
public final class Wire {
    /**
     * System property naming the dump directory of the agent loaded in this JVM: {@code threadleak attach}
     * reads it to tell where dumps go (the target picks the default directory), or that the agent is there already.
     */
    public static final String DIR_PROPERTY = SharedNames.DIR_PROPERTY;

    /** System property naming the address the agent's HTTP endpoint serves on ({@code 127.0.0.1:41234}), once it does: {@code threadleak list} shows it. */
    public static final String HTTP_PROPERTY = "threadleak.http";

    /**
     * System property naming the attach that loaded the agent: {@code threadleak attach} passes an id of its own
     * ({@link #withAttachId}) and reads this after loading to tell whether its load started the agent or lost a race
     * to another attach (two at the same moment both find no agent before loading).
     */
    public static final String ATTACH_PROPERTY = SharedNames.ATTACH_PROPERTY;
    /** Options from {@code threadleak attach} begin with {@code <this><id><this>}; a user's options never do. */
    private static final char ATTACH_ID = '#';

    private Wire() {}

    /** The agent arguments of an attach whose id is {@code id}. */
    public static String withAttachId(String id, String options) {
        return ATTACH_ID + id + ATTACH_ID + options;
    }

    /** The attach id that {@code args} begin with, or null when they begin with none. */
    public static String attachId(String args) {
        return hasAttachId(args) ? args.substring(1, args.indexOf(ATTACH_ID, 1)) : null;
    }

    /** The options of {@code args}: all of them but the attach id they may begin with. */
    public static String options(String args) {
        return hasAttachId(args) ? args.substring(args.indexOf(ATTACH_ID, 1) + 1) : args;
    }

    private static boolean hasAttachId(String args) {
        return args != null && !args.isEmpty() && args.charAt(0) == ATTACH_ID && args.indexOf(ATTACH_ID, 1) > 0;
    }
}
