/**
 * The leak verdicts: the findings of a snapshot judged against the history of earlier ones. Reads snapshots only:
 * may import {@code sample} and every package below it.
 */
package dev.threadleak.agent.findings;
