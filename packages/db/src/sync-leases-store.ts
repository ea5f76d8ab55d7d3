import type { Logger } from '@kombo-sync/logger';
import { sql } from 'drizzle-orm';
import { createDatabase, toExecutor, type Database, type DbLike, type Executor } from './create-database.js';

/** What a run holds while it may write an integration's data: the integration and its fencing token. */
export interface Fence {
  readonly integrationId: string;
  readonly token: number;
}

/**
 * Thrown by a fenced transaction whose run no longer holds its integration's lease (another run took it over after
 * it expired): nothing of that transaction was written. Retryable: the job tries again once the lease is free.
 */
export class FenceLostError extends Error {
  readonly code = 'SYNC.FENCE_LOST';
  readonly isRetryable = true;
  constructor(readonly integrationId: string) {
    super(`the sync lease of ${integrationId} was taken over by another run: stopped before writing`);
    this.name = 'FenceLostError';
  }
}

/** Connections of a lease pool: lease statements are short (one, or three when taking the lease). */
export const LEASE_POOL_SIZE = 2;

/**
 * The pool a worker's lease statements (acquire, renew, release) run on, apart from the pool its page writes use:
 * pages that hold every connection of that pool never delay a renewal. Each statement, each lock wait and each
 * wait for a connection is bounded by a third of `ttlMs` (at least 250 ms), the renewal period: a renewal that
 * cannot run fails and the next one tries again, rather than hanging while the lease runs out.
 */
export function createLeaseDatabase({
  url,
  ttlMs,
  logger,
}: {
  /** Postgres connection string (DATABASE_URL). */
  url: string;
  /** SYNC_LEASE_TTL_MS. */
  ttlMs: number;
  logger?: Logger;
}): Promise<Database> {
  const boundMs = Math.max(250, Math.floor(ttlMs / 3));
  return createDatabase({
    url,
    poolSize: LEASE_POOL_SIZE,
    connectTimeoutMs: boundMs,
    statementTimeoutMs: boundMs,
    lockTimeoutMs: boundMs,
    ...(logger ? { logger } : {}),
  });
}

export type AcquireLeaseResult =
  | {
      readonly isAcquired: true;
      readonly fence: Fence;
      /** The run the previous holder left `running` (its worker died), now closed as `abandoned`. */
      readonly abandonedRunId: number | null;
    }
  | {
      readonly isAcquired: false;
      /** Who holds it, e.g. `<worker>/<job>`. */
      readonly holder: string;
      /** When to try again: until the lease expires unless renewed, in ms (Postgres's clock). */
      readonly retryInMs: number;
    };

export interface AcquireLeaseInput {
  integrationId: string;
  /** Who asks, for operators: `<worker id>/<job id>`. */
  holder: string;
  /** How long the lease lasts unless renewed, ms. */
  ttlMs: number;
}

/**
 * Takes the integration's lease when it is free (never taken, released, or expired by Postgres's clock): the token
 * grows by one, so every fenced transaction of the previous holder fails from now on. A previous holder whose run is
 * still `running` died without releasing: that run is closed as `abandoned` in the same transaction. When another
 * run holds the lease (or is writing under it right now), nothing changes and `retryInMs` says when to try again.
 */
export async function acquireLease(
  database: Database,
  input: AcquireLeaseInput,
): Promise<AcquireLeaseResult> {
  return database.db.transaction(async (tx) => {
    await tx.execute(sql`
      INSERT INTO sync_leases (integration_id, token, holder, expires_at)
      VALUES (${input.integrationId}, 0, '', 'epoch') ON CONFLICT (integration_id) DO NOTHING`);
    // SKIP LOCKED: a row locked right now belongs to a holder that is writing (its fenced transactions hold it FOR
    // KEY SHARE, which FOR UPDATE conflicts with), renewing, or to another acquirer: either way the lease is busy,
    // and waiting for it would only queue behind them.
    const current = await tx.execute<{
      holder: string;
      run_id: string | null;
      is_free: boolean;
      remaining_ms: string;
    }>(sql`
      SELECT holder, run_id, expires_at <= now() AS is_free,
        GREATEST(0, ceil(extract(epoch FROM expires_at - now()) * 1000))::bigint AS remaining_ms
      FROM sync_leases WHERE integration_id = ${input.integrationId} FOR UPDATE SKIP LOCKED`);
    const row = current.rows[0];
    if (!row || !row.is_free) {
      return {
        isAcquired: false,
        holder: row?.holder ?? '(busy)',
        retryInMs: row ? Number(row.remaining_ms) : 1_000,
      };
    }
    const taken = await tx.execute<{ token: string }>(sql`
      UPDATE sync_leases SET token = token + 1, holder = ${input.holder}, run_id = NULL, acquired_at = now(),
        expires_at = now() + ${input.ttlMs}::double precision * interval '1 millisecond'
      WHERE integration_id = ${input.integrationId} RETURNING token`);
    const abandonedRunId =
      row.run_id === null ? null : await closeRunAsAbandoned(tx, Number(row.run_id), 'its lease expired');
    return {
      isAcquired: true,
      fence: { integrationId: input.integrationId, token: Number(taken.rows[0]?.token) },
      abandonedRunId,
    };
  });
}

async function closeRunAsAbandoned(tx: Executor, runId: number, why: string): Promise<number | null> {
  const closed = await tx.execute(sql`
    UPDATE sync_runs SET status = 'abandoned', finished_at = now(),
      error = ${`SYNC.ABANDONED: the run's worker stopped without finishing it (${why})`}
    WHERE id = ${runId}::bigint AND status = 'running' RETURNING id`);
  return closed.rows.length > 0 ? runId : null;
}

/** Records which run the fence's holder is running (for abandonment and operators). False when the fence is lost. */
export async function attachRunToLease(db: DbLike, fence: Fence, runId: number): Promise<boolean> {
  const result = await toExecutor(db).execute(sql`
    UPDATE sync_leases SET run_id = ${runId}::bigint
    WHERE integration_id = ${fence.integrationId} AND token = ${fence.token}::bigint RETURNING 1`);
  return result.rows.length > 0;
}

/**
 * Extends the lease by `ttlMs` from now (Postgres's clock). False when the fence is lost: another run took the
 * lease over. Renewing an expired lease nobody took over is allowed: the token is still the holder's.
 */
export async function renewLease(db: DbLike, fence: Fence, ttlMs: number): Promise<boolean> {
  const result = await toExecutor(db).execute(sql`
    UPDATE sync_leases SET expires_at = now() + ${ttlMs}::double precision * interval '1 millisecond'
    WHERE integration_id = ${fence.integrationId} AND token = ${fence.token}::bigint RETURNING 1`);
  return result.rows.length > 0;
}

/** Frees the lease at once (a no-op when the fence is already lost); the next acquirer need not wait for expiry. */
export async function releaseLease(db: DbLike, fence: Fence): Promise<void> {
  await toExecutor(db).execute(sql`
    UPDATE sync_leases SET expires_at = now()
    WHERE integration_id = ${fence.integrationId} AND token = ${fence.token}::bigint`);
}

/**
 * The fence check, first statement of every transaction a run writes: the lease row, locked FOR KEY SHARE until the
 * transaction ends, must still carry the run's token. A takeover changes the token, a key column (the unique index
 * on `(integration_id, token)`), which takes FOR UPDATE: it waits for (or, with SKIP LOCKED, skips) the holder's
 * open transactions, and every later one fails here. So two runs never write at once, whatever happened to BullMQ's
 * lock, Redis or the network. Throws {@link FenceLostError}.
 *
 * Not FOR SHARE: the renewal (an UPDATE of `expires_at` alone, FOR NO KEY UPDATE) would conflict with it, and
 * Postgres lets a new share locker join the holders instead of queueing behind a waiting updater, so a run whose
 * page transactions overlap would starve its own renewal until the lease expired. FOR KEY SHARE conflicts with
 * FOR UPDATE only: renewals and releases never wait for the holder's pages.
 */
export async function assertFence(tx: Executor, fence: Fence): Promise<void> {
  const held = await tx.execute(sql`
    SELECT 1 FROM sync_leases
    WHERE integration_id = ${fence.integrationId} AND token = ${fence.token}::bigint FOR KEY SHARE`);
  if (held.rows.length === 0) throw new FenceLostError(fence.integrationId);
}

/** Runs `fn` in one transaction that first checks the fence (see {@link assertFence}). */
export function withFencedTransaction<T>(
  database: Database,
  fence: Fence,
  fn: (tx: Executor) => Promise<T>,
): Promise<T> {
  return database.db.transaction(async (tx) => {
    await assertFence(tx, fence);
    return fn(tx);
  });
}

/**
 * Closes as `abandoned` the runs still `running` that no live lease holds: their worker was killed or lost
 * Postgres and nobody took the integration over since. `graceMs` spares runs that just started (a run is recorded
 * before it is attached to its lease). Returns the closed runs' ids.
 */
export async function closeAbandonedRuns(db: DbLike, { graceMs }: { graceMs: number }): Promise<number[]> {
  const result = await toExecutor(db).execute<{ id: string }>(sql`
    UPDATE sync_runs r SET status = 'abandoned', finished_at = now(),
      error = 'SYNC.ABANDONED: the run''s worker stopped without finishing it (no live lease)'
    WHERE r.status = 'running'
      AND r.started_at < now() - ${graceMs}::double precision * interval '1 millisecond'
      AND NOT EXISTS (
        SELECT 1 FROM sync_leases l
        WHERE l.integration_id = r.integration_id AND l.run_id = r.id AND l.expires_at > now()
      )
    RETURNING r.id`);
  return result.rows.map((row) => Number(row.id));
}
