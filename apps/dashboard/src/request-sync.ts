import { randomUUID } from 'node:crypto';
import type { ModelName } from '@kombo-sync/catalog';
import { getIntegration } from '@kombo-sync/db';
import { requestSync as requestSyncJob } from '@kombo-sync/queue';
import { syncQueuesOf, type DashboardDeps } from './deps.js';
import { HttpError } from './http-error.js';

export interface SyncRequest {
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
  deps: Pick<DashboardDeps, 'db' | 'redis' | 'queues' | 'config' | 'logger'>,
  integrationId: string,
  { full = false, models }: SyncRequest,
): Promise<{ requestId: string; jobId: string | undefined }> {
  const integration = await getIntegration(deps.db, integrationId);
  if (!integration || integration.deletedAt) {
    throw new HttpError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
  }
  const requestId = `manual-${randomUUID()}`;
  const { jobId } = await requestSyncJob(
    {
      redis: deps.redis,
      queues: syncQueuesOf(deps.queues),
      prefix: deps.config.queuePrefix,
      jobOptions: { attempts: deps.config.jobAttempts },
    },
    {
      integrationId,
      intent: {
        models: full || !models || models.length === 0 ? 'all' : models,
        full,
        triggers: ['manual'],
        requestIds: [requestId],
      },
      requestId,
    },
  );
  deps.logger.info({ integrationId, requestId, jobId, full, models }, 'manual sync requested');
  return { requestId, jobId };
}
