/** The part of the shutdown timeout kept for the cancelled runs to finish their page and hand their work back, ms. */
const HARD_STOP_MARGIN_MS = 5_000;

/**
 * When a stopping worker cancels the syncs that have not yielded yet: at three quarters of `timeoutMs`
 * (WORKER_SHUTDOWN_TIMEOUT_MS), but at most {@link HARD_STOP_MARGIN_MS} before it, so a cancelled run still has the
 * rest to write its page and hand its work back before the process exits.
 */
export function shutdownDeadlines(timeoutMs: number): { hardAfterMs: number } {
  return { hardAfterMs: Math.max(timeoutMs - HARD_STOP_MARGIN_MS, Math.round(timeoutMs * 0.75)) };
}
