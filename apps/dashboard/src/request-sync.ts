import { randomUUID } from 'node:crypto';
import type { ModelName } from '@kombo-sync/catalog';
import { getIntegration } from '@kombo-sync/db';
import { requestSync as requestSyncJob } from '@kombo-sync/queue';
import type { ActionDeps } from './deps.js';
import { DashboardError } from './dashboard-error.js';

export interface ManualSyncOptions {
  /** A full resync (every model, with deletion reconciliation); default false. */
  full?: boolean;
  /** Models to sync; default all. Ignored when `full`. */
  models?: ModelName[];
}

/**
 * Manual "sync now" / "full resync": the same path as a webhook (`requestSync` of packages/queue, trigger
 * `manual`): the intent, then the integration's coalesced job in its lane. 404 for an unknown integration.
 */
export async function requestSync(
  deps: ActionDeps,
  integrationId: string,
  { full = false, models }: ManualSyncOptions,
): Promise<{ requestId: string; jobId: string | undefined }> {
  const integration = await getIntegration(deps.db, integrationId);
  if (!integration || integration.deletedAt) {
    throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
  }
  const requestId = `manual-${randomUUID()}`;
  const { jobId } = await requestSyncJob(deps.request, {
    integrationId,
    intent: {
      models: full || !models || models.length === 0 ? 'all' : models,
      full,
      triggers: ['manual'],
      requestIds: [requestId],
    },
    requestId,
  });
  deps.logger.info({ integrationId, requestId, jobId, full, models }, 'manual sync requested');
  return { requestId, jobId };
}
