package dev.threadleak.agent.expose;

/** What the agent has spent of its host: samples taken and dumps written, and the time each took. */
public record AgentCost(long samples, long sampleNanos, long dumps, long dumpNanos) {}
