/**
 * The command line ({@code java -jar threadleak-agent.jar <command>}): reads dumps, attaches to running JVMs, asks
 * a loaded agent for a dump. May import {@code expose} and every package below it; not {@code install}, {@code boot}
 * or the root: it never runs inside the target JVM.
 */
package dev.threadleak.agent.cli;
