import { modelsForChangedNames } from '@kombo-sync/catalog';
import type { WebhookEvent } from '@kombo-sync/kombo';
import type { Intent } from '@kombo-sync/queue';

/** What a webhook asks for: work for one integration, or nothing (with the reason, for the log). */
export type EventWork =
  | { kind: 'work'; integrationId: string; intent: Partial<Intent>; unknownModels?: string[] }
  | { kind: 'ignore'; reason: string; integrationId?: string; unknownModels?: string[] };

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
      if (!USABLE_SYNC_STATES.has(event.data.sync_state)) {
        return {
          kind: 'ignore',
          reason: `sync state ${event.data.sync_state}`,
          integrationId: event.data.integration_id,
        };
      }
      return { kind: 'work', integrationId: event.data.integration_id, intent: { models: 'all' } };
    case 'remote-event-received':
      return { kind: 'work', integrationId: event.data.integration_id, intent: { models: 'all' } };
    case 'integration-created':
      return { kind: 'work', integrationId: event.data.id, intent: { created: event.data, full: true } };
    case 'integration-deleted':
      return { kind: 'work', integrationId: event.data.id, intent: { deleted: event.data } };
    case 'integration-state-changed':
      return { kind: 'work', integrationId: event.data.integration_id, intent: { state: event.data } };
    case 'connection-flow-failed':
      return { kind: 'ignore', reason: 'connection flow failed (no integration yet)' };
    case 'unknown':
      return { kind: 'ignore', reason: `unknown webhook type ${event.originalType}` };
  }
}
