/**
 * What the hooks report, kept: started threads and their creation sites, executors and their tasks, fed from the
 * hook class on the application's threads (hot paths: lock-free, allocation-light) and drained on the agent's.
 * May import {@code hook}, {@code config} and {@code snapshot}.
 */
package dev.threadleak.agent.registry;
