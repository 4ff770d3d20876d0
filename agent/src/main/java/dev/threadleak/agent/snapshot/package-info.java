/**
 * The data model: a snapshot of the threads, its findings, and its dump format (JSON, read and written here), with the
 * rules of its text that every view shares (durations, name patterns, masked secrets, escapes). The bottom layer: it
 * imports nothing of the agent, so the CLI reads dumps without any of the agent's machinery.
 */
package dev.threadleak.agent.snapshot;
