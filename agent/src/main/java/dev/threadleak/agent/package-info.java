/**
 * The agent's entry points: {@link dev.threadleak.agent.Agent}, the manifest's {@code Premain-Class} and
 * {@code Agent-Class}, which parses the options and hands the start to {@code boot}. The top layer: it may import
 * any package of the agent.
 */
package dev.threadleak.agent;
