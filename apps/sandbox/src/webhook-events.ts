import { Rng, mix, randomId } from './data/random.js';
import type { EndUser, IntegrationState } from './data/store.js';
import type { SandboxWebhook } from './webhook-sender.js';

export type WebhookType =
  | 'data-changed'
  | 'sync-finished'
  | 'integration-created'
  | 'integration-deleted'
  | 'integration-state-changed'
  | 'connection-flow-failed';

export const WEBHOOK_TYPES: readonly WebhookType[] = [
  'data-changed',
  'sync-finished',
  'integration-created',
  'integration-deleted',
  'integration-state-changed',
  'connection-flow-failed',
];

/** Builds Kombo webhook payloads (exactly the spec's webhook schemas) with unique event ids. */
export class WebhookEvents {
  private seq = 0;
  constructor(
    private readonly seed: number,
    private readonly now: () => number,
  ) {}

  /** A fresh unique event id (24 base58 characters, like Kombo's). */
  nextId(): string {
    this.seq += 1;
    return randomId(new Rng(mix(this.seed, 0xe7e47, this.seq)));
  }

  /** A `connection-flow-failed` event: an end user could not connect `tool`, so it names no integration. */
  connectionFlowFailed(data: { tool: string; category: string; endUser: EndUser }): SandboxWebhook {
    const id = this.nextId();
    return {
      id,
      type: 'connection-flow-failed',
      data: {
        integration_tool: data.tool,
        integration_category: data.category,
        end_user: data.endUser,
        log_url: `https://app.kombo.dev/env/sandbox/logs?flowId=${this.nextId()}`,
      },
    };
  }

  /** The rest of a `sync-finished` event's data: a minute-long sync of `state`'s integration ending at `nowIso`. */
  private syncFinished(state: IntegrationState, syncState: string, nowIso: string) {
    const startedMs = this.now() - 60_000;
    return {
      sync_state: syncState,
      sync_started_at: new Date(startedMs).toISOString(),
      sync_ended_at: nowIso,
      sync_duration_seconds: 60,
      integration_id: state.id,
      integration_tool: state.tool,
      integration_category: state.category,
      end_user: state.endUser,
      log_url: `https://app.kombo.dev/env/sandbox/logs/${this.nextId()}`,
    };
  }

  build(
    type: Exclude<WebhookType, 'connection-flow-failed'>,
    state: IntegrationState,
    changedModels: readonly string[] = [],
    { syncState = 'SUCCEEDED' }: { syncState?: string } = {},
  ): SandboxWebhook {
    const id = this.nextId();
    const nowIso = new Date(this.now()).toISOString();
    const who = {
      integration_id: state.id,
      integration_tool: state.tool,
      integration_category: state.category,
    };
    switch (type) {
      case 'data-changed':
        return { id, type, data: { ...who, changed_models: changedModels.map((name) => ({ name })) } };
      case 'sync-finished':
        return { id, type, data: { sync_id: this.nextId(), ...this.syncFinished(state, syncState, nowIso) } };
      case 'integration-created':
        return {
          id,
          type,
          data: { id: state.id, tool: state.tool, category: state.category, end_user: state.endUser },
        };
      case 'integration-deleted':
        return {
          id,
          type,
          data: {
            id: state.id,
            tool: state.tool,
            category: state.category,
            end_user: state.endUser,
            deleted_at: nowIso,
          },
        };
      case 'integration-state-changed':
        return {
          id,
          type,
          data: {
            integration_tool: state.tool,
            integration_id: state.id,
            integration_category: state.category,
            end_user: state.endUser,
            qa_status: state.qaStatus,
            setup_status: state.setupStatus,
            state: state.status,
            updated_at: nowIso,
          },
        };
    }
  }
}
