/**
 * The hooks' side of the JDK: the hook class that hooked JDK methods call (copied into {@code java.lang}, so it
 * refers to JDK types only) and the one table of the methods hooked ({@link dev.threadleak.agent.hook.HookPoint}),
 * which the installer, the weaver, the registry and the sampler read. May import {@code config} and
 * {@code snapshot}; the hook class itself imports nothing of the agent.
 */
package dev.threadleak.agent.hook;
