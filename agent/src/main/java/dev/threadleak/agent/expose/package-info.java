/**
 * What the agent shows: dump files, the text, JSON, pprof and collapsed reports, Prometheus metrics, the HTTP
 * endpoint and the JMX bean. May import {@code findings} and every package below it.
 */
package dev.threadleak.agent.expose;
