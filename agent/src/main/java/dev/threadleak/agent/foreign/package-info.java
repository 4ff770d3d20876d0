/**
 * Reading what the JDK writes about threads (jstack and {@code jcmd Thread.print} text, JDK 21+ JSON thread dumps,
 * JFR recordings) into snapshots judged by the same findings as the agent's, for JVMs that never ran the agent.
 * May import {@code findings} and every package below it.
 */
package dev.threadleak.agent.foreign;
