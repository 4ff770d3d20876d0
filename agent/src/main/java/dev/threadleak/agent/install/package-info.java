/**
 * Putting the hooks into the JDK: defines the hook class into {@code java.lang}, weaves the hook calls into the
 * JDK's class files with ASM and keeps the woven files for the next JVM. Runs in premain, so no lambdas. May import
 * {@code expose} and every package below it; not {@code cli}, {@code boot} or the root.
 */
package dev.threadleak.agent.install;
