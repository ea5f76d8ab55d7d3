import { modelsForChangedNames } from '@kombo-sync/catalog';
import { integrationKey, type WebhookEvent } from '@kombo-sync/kombo';
import type { Intent, KomboSignal } from '@kombo-sync/queue';

/**
 * What a webhook asks for: work for one integration, or no sync (with the reason, for the log); either way, a
 * health signal of Kombo's to record at once (a state change, Kombo's own sync outcome, a failed connection flow).
 */
export type EventWork = (
  | { kind: 'work'; integrationId: string; intent: Partial<Intent>; unknownModels?: string[] }
  | { kind: 'ignore'; reason: string; integrationId?: string; unknownModels?: string[] }
) & { signal?: KomboSignal };

/** `sync-finished` states after which Kombo's data is usable. */
const USABLE_SYNC_STATES = new Set(['SUCCEEDED', 'PARTIALLY_FAILED']);

/** Maps a validated webhook event to the intent it records (pure; the caller adds request ids). */
export function intentForEvent(event: WebhookEvent): EventWork {
  switch (event.type) {
    case 'data-changed': {
      const { models, unknown } = modelsForChangedNames(event.data.changed_models.map((model) => model.name));
      const unknownModels = unknown.length > 0 ? unknown : undefined;
      if (models.length === 0) {
        return {
          kind: 'ignore',
          reason: 'no synced model changed',
          integrationId: event.data.integration_id,
          unknownModels,
        };
      }
      return { kind: 'work', integrationId: event.data.integration_id, intent: { models }, unknownModels };
    }
    case 'sync-finished': {
      const { integration_id: integrationId, sync_state: syncState } = event.data;
      const signal: KomboSignal = {
        kind: 'sync-finished',
        integrationId,
        syncId: event.data.sync_id,
        syncState,
        endedAt: event.data.sync_ended_at,
        logUrl: event.data.log_url ?? null,
      };
      if (!USABLE_SYNC_STATES.has(syncState))
        return { kind: 'ignore', reason: `sync state ${syncState}`, integrationId, signal };
      return { kind: 'work', integrationId, intent: { models: 'all' }, signal };
    }
    case 'remote-event-received':
      return { kind: 'work', integrationId: event.data.integration_id, intent: { models: 'all' } };
    case 'integration-created':
      return { kind: 'work', integrationId: event.data.id, intent: { created: event.data, full: true } };
    case 'integration-deleted':
      return { kind: 'work', integrationId: event.data.id, intent: { deleted: event.data } };
    case 'integration-state-changed': {
      const { integration_id: integrationId, state, setup_status, qa_status, updated_at } = event.data;
      return {
        kind: 'work',
        integrationId,
        intent: { state: event.data },
        signal: {
          kind: 'state',
          integrationId,
          state,
          setupStatus: setup_status,
          qaStatus: qa_status,
          updatedAt: updated_at,
        },
      };
    }
    case 'connection-flow-failed': {
      const { end_user: endUser } = event.data;
      return {
        kind: 'ignore',
        reason: 'connection flow failed (no integration yet): recorded',
        signal: {
          kind: 'connection-flow-failed',
          tool: event.data.integration_tool,
          category: event.data.integration_category,
          originId: endUser.origin_id ?? null,
          organizationName: endUser.organization_name,
          creatorEmail: endUser.creator_email ?? null,
          logUrl: event.data.log_url ?? null,
        },
      };
    }
    case 'unknown':
      return { kind: 'ignore', reason: `unknown webhook type ${event.originalType}` };
  }
}

/**
 * The work of a named environment's webhook, its integration ids turned into the fleet's keys (`<environment>/<Kombo
 * id>`, see `integrationKey`); the default environment's (undefined) as is. The payloads inside the intent keep
 * Kombo's bare ids: the worker reads the integration from its key.
 */
export function keyedWork(work: EventWork, environment: string | undefined): EventWork {
  if (environment === undefined) return work;
  const key = (id: string) => integrationKey(environment, id);
  const signal =
    work.signal && 'integrationId' in work.signal && typeof work.signal.integrationId === 'string'
      ? { ...work.signal, integrationId: key(work.signal.integrationId) }
      : work.signal;
  const keyed = { ...work, ...(signal ? { signal } : {}) };
  if (keyed.kind === 'work') return { ...keyed, integrationId: key(keyed.integrationId) };
  return keyed.integrationId === undefined ? keyed : { ...keyed, integrationId: key(keyed.integrationId) };
}
