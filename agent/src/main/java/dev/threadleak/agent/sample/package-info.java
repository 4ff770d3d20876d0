/**
 * Reading the threads: the sampler turns the registry and the JVM's thread information into a snapshot, with each
 * thread's wait reason and how long it has waited. May import {@code registry} and every package below it.
 */
package dev.threadleak.agent.sample;
