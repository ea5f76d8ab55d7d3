import { finishRun, type YieldedModelCounts } from '@kombo-sync/db';
import type { YieldReason } from '@kombo-sync/sync';
import type { JobContext } from './job-context.js';

/** Records the run's final status (and counts it in the metrics). */
export async function closeRun(
  ctx: Pick<JobContext, 'database' | 'metrics'>,
  runId: number,
  {
    reason,
    ...input
  }: {
    status: 'succeeded' | 'failed' | 'interrupted';
    error?: string;
    reason?: YieldReason;
    /** The models the run stopped at a page boundary, with their counts (recorded as `yielded`). */
    yielded?: readonly YieldedModelCounts[];
  },
): Promise<void> {
  await finishRun(ctx.database, runId, input);
  ctx.metrics?.runsFinished.inc({ status: input.status, reason: reason ?? '' });
}
