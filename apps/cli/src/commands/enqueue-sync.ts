import type { ModelName } from '@kombo-sync/catalog';
import { laneOf, requestSync, type RequestSyncDeps, type SyncLane } from '@kombo-sync/queue';

export interface EnqueueDeps {
  /** How to ask for syncs: the command's Redis, sync queues, prefix and job options (`Services.syncRequest`). */
  request: RequestSyncDeps;
}

export interface EnqueueInput {
  integrationId: string;
  /** Full pass (deletion reconciliation) instead of a delta. */
  full: boolean;
  /** Models to sync; default all. */
  models?: readonly ModelName[];
  /** Recorded in the intent's triggers, e.g. `manual`. */
  trigger: string;
  /** Travels with the intent into the run's request_ids, so `--wait` can find the run. */
  requestId: string;
}

/**
 * Enqueues a sync the way webhooks do (`requestSync`): merges the intent into the integration's pending intent (no
 * event id, so never a replay) and makes sure the coalesced sync job exists in its lane. Returns the job id
 * `requestSync` reports (none when a job already waits for the intent) and the lane.
 */
export async function enqueueSync(
  deps: EnqueueDeps,
  input: EnqueueInput,
): Promise<{ jobId?: string; lane: SyncLane }> {
  const intent = {
    models: input.models ? [...input.models] : ('all' as const),
    full: input.full,
    triggers: [input.trigger],
    requestIds: [input.requestId],
  };
  const requested = await requestSync(deps.request, {
    integrationId: input.integrationId,
    intent,
    requestId: input.requestId,
  });
  return { lane: requested.lane ?? laneOf(intent), ...(requested.jobId ? { jobId: requested.jobId } : {}) };
}
