import { syncRuns, type DbLike, type Executor, type SyncRunRow } from '@kombo-sync/db';
import type { Queue, QueueEvents } from 'bullmq';
import { and, desc, eq, gt, sql } from 'drizzle-orm';

export interface WaitDeps {
  db: DbLike;
  queue: Queue;
  /** Wakes the loop up early on job events; without it the loop only polls. */
  queueEvents?: QueueEvents;
  /** Poll interval, default 500 ms. */
  pollMs?: number;
}

export interface WaitTarget {
  integrationId: string;
  /** The request id recorded in the intent: the worker copies it into the run's request_ids. */
  requestId: string;
  /** Job id `ensureSyncJob` returned. */
  jobId: string | undefined;
  /** Whether that job takes our intent (see {@link jobTakesRequest}); else a follow-up job will. */
  isJobOurs: boolean;
  /** Highest sync_runs id before the request: a later run is ours when the worker keeps no request ids. */
  baselineRunId: number;
  /** Give up after this long. */
  timeoutMs: number;
  /** Called after each poll with the run found so far (awaited: it may read more, e.g. progress). */
  onRun?: (run: SyncRunRow | undefined) => void | Promise<void>;
}

export type WaitOutcome =
  | { status: 'succeeded' | 'failed' | 'partial'; run: SyncRunRow }
  | { status: 'completed'; run?: undefined }
  | { status: 'job-failed'; reason: string; run?: SyncRunRow | undefined }
  | { status: 'timeout'; run?: SyncRunRow | undefined };

/**
 * Whether the job `ensureSyncJob` returned will take an intent recorded at `requestedAtMs`: it had not started
 * before then (it may have started, even finished, since). A job already active when we added returns its own id
 * (deduplication), and a follow-up job takes our intent instead.
 */
export async function jobTakesRequest(queue: Queue, jobId: string, requestedAtMs: number): Promise<boolean> {
  const job = await queue.getJob(jobId);
  if (!job) return false;
  return job.processedOn === undefined || job.processedOn >= requestedAtMs;
}

/**
 * A run that settles the wait: `running` is not over, `abandoned` (its worker died) is followed by a retry, and
 * `interrupted` (shutdown, pause, time slice) by the run that continues its work, which carries the same request ids.
 */
function isSettled(
  run: SyncRunRow | undefined,
): run is SyncRunRow & { status: 'succeeded' | 'failed' | 'partial' } {
  return (
    run !== undefined &&
    run.status !== 'running' &&
    run.status !== 'abandoned' &&
    run.status !== 'interrupted'
  );
}

function executor(db: DbLike): Executor {
  return 'pool' in db && 'close' in db ? (db.db as unknown as Executor) : db;
}

/** The highest sync_runs id so far (0 when none). */
export async function latestRunId(db: DbLike): Promise<number> {
  const [row] = await executor(db)
    .select({ id: sql<string | null>`max(${syncRuns.id})` })
    .from(syncRuns);
  return Number(row?.id ?? 0);
}

async function findRun(db: DbLike, target: WaitTarget): Promise<SyncRunRow | undefined> {
  const exec = executor(db);
  const [byRequest] = await exec
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.integrationId, target.integrationId),
        sql`${target.requestId} = ANY(${syncRuns.requestIds})`,
      ),
    )
    .orderBy(desc(syncRuns.id))
    .limit(1);
  if (byRequest) return byRequest;
  const [later] = await exec
    .select()
    .from(syncRuns)
    .where(
      and(
        eq(syncRuns.integrationId, target.integrationId),
        gt(syncRuns.id, target.baselineRunId),
        // A run carrying other request ids serves other requests (e.g. the job that was active when we added).
        sql`cardinality(${syncRuns.requestIds}) = 0`,
      ),
    )
    .orderBy(desc(syncRuns.id))
    .limit(1);
  return later;
}

/**
 * Waits until the run serving the request finishes. The run is found by the request id in sync_runs (else the
 * newest later run that carries no request ids at all); the job is watched too, so a job that fails before it
 * records a run, or a worker that records none, still ends the wait. With BullMQ deduplication an add during an
 * active job returns the ACTIVE job's id while a follow-up job takes the intent: then the job to watch is read
 * from the dedup key.
 */
export async function waitForRun(deps: WaitDeps, target: WaitTarget): Promise<WaitOutcome> {
  const deadline = Date.now() + target.timeoutMs;
  const pollMs = deps.pollMs ?? 500;
  let candidate = target.isJobOurs ? target.jobId : undefined;
  let wake: (() => void) | undefined;
  const onEvent = () => wake?.();
  deps.queueEvents?.on('completed', onEvent).on('failed', onEvent).on('active', onEvent);
  try {
    for (;;) {
      const run = await findRun(deps.db, target);
      await target.onRun?.(run);
      if (isSettled(run)) return { status: run.status, run };
      candidate ??= await followUpJobId(deps.queue, target);
      if (candidate) {
        const state = await deps.queue.getJobState(candidate);
        if (state === 'failed') {
          const job = await deps.queue.getJob(candidate);
          return { status: 'job-failed', reason: job?.failedReason ?? 'unknown reason', run };
        }
        if (state === 'completed') {
          const finished = await findRun(deps.db, target);
          if (isSettled(finished)) return { status: finished.status, run: finished };
          if (!finished) return { status: 'completed' };
        }
      }
      const remainingMs = deadline - Date.now();
      if (remainingMs <= 0) return { status: 'timeout', run };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(pollMs, remainingMs));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    deps.queueEvents?.off('completed', onEvent).off('failed', onEvent).off('active', onEvent);
  }
}

async function followUpJobId(queue: Queue, target: WaitTarget): Promise<string | undefined> {
  const current = await queue.getDeduplicationJobId(target.integrationId);
  return current && current !== target.jobId ? current : undefined;
}
