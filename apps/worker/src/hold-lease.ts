import {
  acquireLease,
  FenceLostError,
  releaseLease,
  renewLease,
  type Database,
  type Fence,
} from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';

/** An integration's lease, held by this job until `release()`; renewed in the background meanwhile. */
export interface HeldLease {
  readonly fence: Fence;
  /** Aborts (with a {@link FenceLostError}) when a renewal finds the lease taken over: stop before the next write. */
  readonly lost: AbortSignal;
  /** Stops renewing and frees the lease (best effort: an unreleased lease expires by itself). Idempotent. */
  release(): Promise<void>;
}

export type LeaseAttempt =
  | { readonly isHeld: true; readonly lease: HeldLease; readonly abandonedRunId: number | null }
  | { readonly isHeld: false; readonly holder: string; readonly retryInMs: number };

/**
 * Takes the integration's lease (packages/db sync-leases-store) and renews it every third of `ttlMs` until
 * released, on a pool of its own: the renewal neither waits for a connection behind the run's page writes nor for
 * their row locks (the fence check's FOR KEY SHARE does not conflict with it), and is bounded in time. BullMQ's job lock cannot be the fence: it lives in Redis and expires when Redis restarts or a renewal
 * is late, and then BullMQ hands the job to a second worker while the first still writes. The lease lives in
 * Postgres, next to the data, and every write checks it.
 */
export async function holdLease(
  {
    leaseDatabase: database,
    logger,
  }: {
    /** The worker's lease pool (`createLeaseDatabase`), never the pool its page writes use. */
    leaseDatabase: Database;
    logger: Logger;
  },
  { integrationId, holder, ttlMs }: { integrationId: string; holder: string; ttlMs: number },
): Promise<LeaseAttempt> {
  const acquired = await acquireLease(database, { integrationId, holder, ttlMs });
  if (!acquired.isAcquired) return { isHeld: false, holder: acquired.holder, retryInMs: acquired.retryInMs };
  const { fence } = acquired;
  const lost = new AbortController();
  let isRenewing = false;
  const timer = setInterval(() => {
    if (isRenewing) return;
    isRenewing = true;
    renewLease(database, fence, ttlMs)
      .then((isKept) => {
        if (!isKept && !lost.signal.aborted) {
          logger.warn({ integrationId, token: fence.token }, 'sync lease taken over: stopping this run');
          lost.abort(new FenceLostError(integrationId));
        }
      })
      // Postgres unreachable: the run's own writes fail too; the lease holds until it expires.
      .catch((err: unknown) => logger.warn({ err, integrationId }, 'sync lease renewal failed'))
      .finally(() => (isRenewing = false));
  }, ttlMs / 3);
  timer.unref();
  let released: Promise<void> | undefined;
  return {
    isHeld: true,
    abandonedRunId: acquired.abandonedRunId,
    lease: {
      fence,
      lost: lost.signal,
      release: () =>
        (released ??= (async () => {
          clearInterval(timer);
          await releaseLease(database, fence).catch((err: unknown) =>
            logger.warn({ err, integrationId }, 'sync lease release failed: it will expire'),
          );
        })()),
    },
  };
}
