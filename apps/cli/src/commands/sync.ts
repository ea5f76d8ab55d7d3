import { randomUUID } from 'node:crypto';
import { getModelProgress, type DbLike } from '@kombo-sync/db';
import type { QueueEvents } from 'bullmq';
import { EXIT } from '../errors.js';
import { modelsOfCategory, parseModelsOption } from '../models-option.js';
import type { Output } from '../output.js';
import { createRunProgress } from '../run-progress.js';
import { laneOf } from '@kombo-sync/queue';
import { enqueueSync, type EnqueueDeps } from './enqueue-sync.js';
import { requireIntegration } from './require-integration.js';
import { jobTakesRequest, latestRunId, waitForRun, type WaitOutcome } from './wait-for-run.js';
import { terminalText } from '../terminal-text.js';

export interface SyncDeps extends EnqueueDeps {
  db: DbLike;
  out: Output;
  /** Opens a QueueEvents of a sync lane's queue (ready), used by `--wait` to wake up on job events; optional. */
  openQueueEvents?: (queueName: string) => Promise<QueueEvents>;
  /** Poll interval of `--wait`; default 500 ms. */
  pollMs?: number;
}

export interface SyncOptions {
  integrationId: string;
  full?: boolean;
  /** Comma-separated model names (`--models a,b`). */
  models?: string;
  wait?: boolean;
  /** How long `--wait` waits; default 1 hour. */
  timeoutMs?: number;
}

/**
 * `kombo-sync sync <integration>`: records a manual intent and ensures the coalesced sync job, like a webhook.
 * With `wait`, waits for the run and exits 0 when it succeeded, 1 when it failed (or partially failed) or timed
 * out. Unknown models → exit 2, unknown integration → exit 3 (thrown).
 */
export async function runSync(deps: SyncDeps, options: SyncOptions): Promise<number> {
  const integration = await requireIntegration(deps.db, options.integrationId);
  const validModels = modelsOfCategory(integration.category);
  const models = parseModelsOption(options.models, validModels);
  const requestId = `cli-${randomUUID()}`;
  const full = options.full ?? false;
  const what = `${full ? 'full' : 'delta'} sync of ${models ? models.join(', ') : 'all models'}`;
  const shown = terminalText(integration.id, 120);
  const enqueue = () =>
    enqueueSync(deps, { integrationId: integration.id, full, models, trigger: 'manual', requestId });
  if (!options.wait) {
    const { jobId } = await enqueue();
    deps.out.out(`Enqueued ${what} for ${shown} (job ${terminalText(jobId ?? '?')}, request ${requestId}).`);
    return EXIT.ok;
  }
  const queue = deps.request.queues[laneOf({ full })];
  const queueEvents = await deps.openQueueEvents?.(queue.name);
  try {
    const baselineRunId = await latestRunId(deps.db);
    const requestedAtMs = Date.now();
    const { jobId } = await enqueue();
    const isJobOurs = jobId !== undefined && (await jobTakesRequest(queue, jobId, requestedAtMs));
    deps.out.out(
      `Enqueued ${what} for ${shown} (job ${terminalText(jobId ?? '?')}); waiting for it to finish.`,
    );
    const progress = createRunProgress(deps.out, integration.id, models?.length ?? validModels.length);
    let outcome: WaitOutcome;
    try {
      outcome = await waitForRun(
        { db: deps.db, queue, queueEvents, pollMs: deps.pollMs },
        {
          integrationId: integration.id,
          requestId,
          jobId,
          isJobOurs,
          baselineRunId,
          timeoutMs: options.timeoutMs ?? 60 * 60 * 1000,
          onRun: async (run) =>
            progress.update(run, run ? await getModelProgress(deps.db, integration.id) : undefined),
        },
      );
    } finally {
      progress.stop();
    }
    return report(deps.out, outcome);
  } finally {
    await queueEvents?.close();
  }
}

function report(out: Output, outcome: WaitOutcome): number {
  switch (outcome.status) {
    case 'succeeded':
      out.out(`Run ${outcome.run.id} succeeded.`);
      return EXIT.ok;
    case 'completed':
      out.out('Sync job completed.');
      return EXIT.ok;
    case 'partial':
    case 'failed':
      out.err(
        `Run ${outcome.run.id} ${outcome.status}${outcome.run.error ? `: ${terminalText(outcome.run.error, 500)}` : ''}.`,
      );
      return EXIT.failure;
    case 'job-failed':
      out.err(`Sync job failed: ${terminalText(outcome.reason, 500)}`);
      return EXIT.failure;
    case 'timeout':
      out.err('Gave up waiting: the sync did not finish in time (it may still run).');
      return EXIT.failure;
  }
}
