/**
 * Thread leaks proven from a heap dump: threads parked forever on what no thread that can still run reaches (an HPROF
 * reader that indexes objects in bounded memory, and the reachability that proves). May import {@code findings} and every
 * package below it.
 */
package dev.threadleak.agent.prove;
