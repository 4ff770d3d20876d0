/**
 * The hook class that hooked JDK methods call, copied into {@code java.lang} and so limited to JDK types. May
 * import {@code config} and {@code snapshot}; the hook class itself imports nothing of the agent.
 */
package dev.threadleak.agent.hook;
