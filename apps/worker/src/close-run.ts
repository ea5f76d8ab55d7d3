import { finishRun } from '@kombo-sync/db';
import type { YieldReason } from '@kombo-sync/sync';
import type { JobContext } from './job-context.js';

/** Records the run's final status (and counts it in the metrics). */
export async function closeRun(
  ctx: Pick<JobContext, 'database' | 'metrics'>,
  runId: number,
  {
    reason,
    ...input
  }: { status: 'succeeded' | 'failed' | 'interrupted'; error?: string; reason?: YieldReason },
): Promise<void> {
  await finishRun(ctx.database, runId, input);
  ctx.metrics?.runsFinished.inc({ status: input.status, reason: reason ?? '' });
}
