/**
 * Configuration-level facts that several layers share: the agent's options and their rules, {@code /health}'s
 * thresholds, the private directory's safety rule, the names that pass between JVMs, and the agent's one-line voice
 * on stderr. May import {@code snapshot} only.
 */
package dev.threadleak.agent.config;
