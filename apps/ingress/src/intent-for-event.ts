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
    case 'sync-finished':
      return syncFinishedWork(event.data);
    case 'remote-event-received':
      return { kind: 'work', integrationId: event.data.integration_id, intent: { models: 'all' } };
    case 'integration-created':
      return { kind: 'work', integrationId: event.data.id, intent: { created: event.data, full: true } };
    case 'integration-deleted':
      return { kind: 'work', integrationId: event.data.id, intent: { deleted: event.data } };
    case 'integration-state-changed':
      return stateChangedWork(event.data);
    case 'connection-flow-failed':
      return connectionFlowFailedWork(event.data);
    case 'unknown':
      return { kind: 'ignore', reason: `unknown webhook type ${event.originalType}` };
  }
}

type EventData<T extends WebhookEvent['type']> = Extract<WebhookEvent, { type: T }>['data'];

/** Kombo's own sync ended: its outcome to record, and a sync of every model when its data is usable. */
function syncFinishedWork(data: EventData<'sync-finished'>): EventWork {
  const { integration_id: integrationId, sync_state: syncState } = data;
  const signal: KomboSignal = {
    kind: 'sync-finished',
    integrationId,
    syncId: data.sync_id,
    syncState,
    endedAt: data.sync_ended_at,
    logUrl: data.log_url ?? null,
  };
  if (!USABLE_SYNC_STATES.has(syncState))
    return { kind: 'ignore', reason: `sync state ${syncState}`, integrationId, signal };
  return { kind: 'work', integrationId, intent: { models: 'all' }, signal };
}

/** An integration's state changed: the state for the worker to apply, and the signal to record. */
function stateChangedWork(data: EventData<'integration-state-changed'>): EventWork {
  const { integration_id: integrationId, state, setup_status, qa_status, updated_at } = data;
  return {
    kind: 'work',
    integrationId,
    intent: { state: data },
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

/** An end user could not connect a tool: no integration yet, only the signal to record. */
function connectionFlowFailedWork(data: EventData<'connection-flow-failed'>): EventWork {
  const { end_user: endUser } = data;
  return {
    kind: 'ignore',
    reason: 'connection flow failed (no integration yet): recorded',
    signal: {
      kind: 'connection-flow-failed',
      tool: data.integration_tool,
      category: data.integration_category,
      originId: endUser.origin_id ?? null,
      organizationName: endUser.organization_name,
      creatorEmail: endUser.creator_email ?? null,
      logUrl: data.log_url ?? null,
    },
  };
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
