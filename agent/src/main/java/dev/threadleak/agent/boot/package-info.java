/**
 * The agent's start and its running life: hooks the JDK through {@code install}, wires the registry, the sampler,
 * the findings and the views, and runs the agent's threads (drain, samples, dumps, exit dump). It wires everything,
 * so it may import every package but the root one.
 */
package dev.threadleak.agent.boot;
