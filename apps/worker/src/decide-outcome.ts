import { boundText } from '@kombo-sync/db';
import type { RunSummary, YieldReason } from '@kombo-sync/sync';

/** What the job does once the engine returned its run summary. */
export type OutcomeDecision =
  /** the run succeeded: record it, clear what success clears, complete the intent (or hand work on) */
  | { action: 'succeed' }
  /** some models failed: record the run failed with `text`, throw so attempts with backoff apply */
  | { action: 'fail-run'; text: string }
  /** an integration-wide error (or the lost lease) stopped the run: decide as for any error (see map-error.ts) */
  | { action: 'on-error'; error: unknown }
  /**
   * the run stopped early, at a page boundary (yielded) or at the shutdown deadline (cancelled): record it
   * `interrupted` with `reason`, release the lease, hand the unfinished work back (see hand-back-work.ts)
   */
  | { action: 'interrupt'; reason: YieldReason };

/**
 * Maps a run summary to what the job does. A `cancelled` run was stopped by the shutdown deadline's hard signal or
 * by the lost lease: only the latter is an error (another worker holds the integration now). A `yielded` run
 * stopped at a page boundary for its `yieldReason`.
 */
export function decideOutcome(
  summary: Pick<RunSummary, 'status' | 'models' | 'abortError' | 'yieldReason'>,
  {
    isLeaseLost,
    leaseLostReason,
    isShuttingDown,
  }: {
    isLeaseLost: boolean;
    leaseLostReason?: unknown;
    isShuttingDown: boolean;
  },
): OutcomeDecision {
  switch (summary.status) {
    case 'succeeded':
      return { action: 'succeed' };
    case 'failed':
      return { action: 'fail-run', text: failureText(summary) };
    case 'aborted':
      return { action: 'on-error', error: summary.abortError?.cause };
    case 'cancelled':
      if (isLeaseLost && !isShuttingDown) return { action: 'on-error', error: leaseLostReason };
      return { action: 'interrupt', reason: 'shutdown' };
    case 'yielded':
      return { action: 'interrupt', reason: summary.yieldReason ?? 'shutdown' };
  }
}

/** Whether the outcome ran the models through (succeeded or failed), so unavailable models may expire. */
export const isRunThrough = (summary: Pick<RunSummary, 'status'>): boolean =>
  summary.status === 'succeeded' || summary.status === 'failed';

/**
 * The failed models with their codes and reasons, ≤ 2 KB in all: stored in sync_runs.error and the job's
 * failedReason. Each reason is already safe (store errors went through toSafeStoreError in the store, Kombo errors
 * carry no data); the per-model share keeps one long reason from hiding the other models.
 */
export function failureText(summary: Pick<RunSummary, 'models'>): string {
  const failed = summary.models.filter((model) => model.status === 'failed');
  const share = Math.max(200, Math.floor(1_800 / Math.max(1, failed.length)));
  return boundText(
    failed
      .map((model) =>
        boundText(
          `${model.model}: ${model.error?.code ?? 'SYNC.ERROR'}: ${model.error?.message ?? ''}`,
          share,
        ),
      )
      .join('; '),
    1_900,
  );
}
