import type { RedisConnection } from '@kombo-sync/queue';

/** Longest wait between two tries of an integration whose setup sync is pending, ms (1 h). */
export const SETUP_PENDING_MAX_DELAY_MS = 60 * 60 * 1_000;

/**
 * Exponential backoff while Kombo answers INTEGRATION.SETUP_SYNC_PENDING: `baseMs` after the first answer, doubled
 * on each further one, never less than Kombo's Retry-After and never more than `capMs` (default 1 h). An
 * `integration-state-changed` webhook resumes the integration at once (see requestSync), so the long waits cost
 * nothing when Kombo tells us the setup is done.
 *
 * @param timesPending answers in a row, 1 for the first
 */
export function setupPendingDelayMs(
  timesPending: number,
  baseMs: number,
  retryAfterMs?: number,
  capMs = SETUP_PENDING_MAX_DELAY_MS,
): number {
  const backoffMs = baseMs * 2 ** Math.min(Math.max(timesPending - 1, 0), 30);
  return Math.min(Math.max(backoffMs, retryAfterMs ?? 0), capMs);
}

const keyOf = (prefix: string, integrationId: string) => `${prefix}:setup-pending:${integrationId}`;

/** Counts one more SETUP_SYNC_PENDING answer in a row for the integration; returns the count (kept a day). */
export async function countSetupPending(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
): Promise<number> {
  const key = keyOf(prefix, integrationId);
  const [[, count]] = (await redis
    .multi()
    .incr(key)
    .pexpire(key, 24 * SETUP_PENDING_MAX_DELAY_MS)
    .exec()) as [[unknown, number], ...unknown[]];
  return count;
}

/** Ends the streak of SETUP_SYNC_PENDING answers (the integration synced). */
export async function resetSetupPending(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
): Promise<void> {
  await redis.del(keyOf(prefix, integrationId));
}
