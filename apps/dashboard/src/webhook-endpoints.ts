import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listDeliveries,
  listDeliveryAttempts,
  listEndpointDeliveryStats,
  listWebhookEndpoints,
  replayDeliveries,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  WebhookEndpointNotFoundError,
  type Database,
  type DeliveryAttemptEntry,
  type DeliveryLogEntry,
  type EndpointDeliveryStats,
  type WebhookEndpointRow,
} from '@kombo-sync/db';
import {
  generateWebhookSecret,
  parseEndpointUrl,
  parseIntegrationFilter,
  parseModelFilter,
  summarizeEndpoint,
  type EndpointSummary,
} from '@kombo-sync/delivery';
import { DashboardError } from './dashboard-error.js';

/** An endpoint as the dashboard shows it (JSON-ready): URL redacted, never a secret. */
export interface EndpointView extends Omit<EndpointSummary, 'lastSuccessAt' | 'failingSince'> {
  lastSuccessAt: string | null;
  failingSince: string | null;
  pending: number;
  inFlight: number;
  dead: number;
  delivered: number;
  /** Age of the oldest change not delivered yet, seconds; null when none waits. */
  lagSeconds: number | null;
}

function toView(row: WebhookEndpointRow, stats: EndpointDeliveryStats | undefined, now: Date): EndpointView {
  const summary = summarizeEndpoint(row);
  return {
    ...summary,
    lastSuccessAt: summary.lastSuccessAt?.toISOString() ?? null,
    failingSince: summary.failingSince?.toISOString() ?? null,
    pending: stats?.pending ?? 0,
    inFlight: stats?.inFlight ?? 0,
    dead: stats?.dead ?? 0,
    delivered: stats?.delivered ?? 0,
    lagSeconds: stats?.oldestWaitingAt ? (now.getTime() - stats.oldestWaitingAt.getTime()) / 1000 : null,
  };
}

async function asHttpErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WebhookEndpointNotFoundError)
      throw new DashboardError(404, 'WEBHOOK_ENDPOINT_NOT_FOUND', 'No such webhook endpoint');
    if (err instanceof RangeError) throw new DashboardError(400, 'INVALID_BODY', err.message);
    throw err;
  }
}

/** Every endpoint with its deliveries by state and lag. */
export async function loadEndpoints(db: Database, now: Date): Promise<EndpointView[]> {
  const [rows, stats] = await Promise.all([listWebhookEndpoints(db), listEndpointDeliveryStats(db)]);
  const byId = new Map(stats.map((s) => [s.endpointId, s]));
  return rows.map((row) => toView(row, byId.get(row.id), now));
}

export interface EndpointDetail {
  endpoint: EndpointView;
  deliveries: (DeliveryLogEntry & { webhookId: string; attemptLog: DeliveryAttemptEntry[] })[];
}

/** One endpoint and its latest deliveries with their attempts (the delivery log); 404 when unknown. */
export async function loadEndpointDetail(
  db: Database,
  endpointId: string,
  { now, limit = 50 }: { now: Date; limit?: number },
): Promise<EndpointDetail> {
  const row = await asHttpErrors(() => getWebhookEndpoint(db, endpointId));
  const [stats, deliveries] = await Promise.all([
    listEndpointDeliveryStats(db),
    listDeliveries(db, { endpointId, limit }),
  ]);
  return {
    endpoint: toView(
      row,
      stats.find((s) => s.endpointId === endpointId),
      now,
    ),
    deliveries: await Promise.all(
      deliveries.map(async (d) => ({
        ...d,
        webhookId: `msg_${d.messageId}`,
        attemptLog: await listDeliveryAttempts(db, d.id),
      })),
    ),
  };
}

/** Creates an endpoint from form fields; returns it with its secret, to be shown once. */
export async function createEndpoint(
  db: Database,
  fields: { url: string; models: string; integrations: string },
): Promise<{ id: string; secret: string }> {
  const row = await asHttpErrors(async () =>
    createWebhookEndpoint(db, {
      url: parseEndpointUrl(fields.url.trim()),
      secret: generateWebhookSecret(),
      models: parseModelFilter(fields.models),
      integrationIds: parseIntegrationFilter(fields.integrations),
    }),
  );
  return { id: row.id, secret: row.secret };
}

export type EndpointAction = 'enable' | 'disable' | 'rotate' | 'replay_dead' | 'delete';

/** Applies an action of the endpoint page; returns the message to show and, for a rotation, the new secret. */
export async function changeEndpoint(
  db: Database,
  endpointId: string,
  action: EndpointAction,
): Promise<{ done: string; secret?: string }> {
  return asHttpErrors(async () => {
    switch (action) {
      case 'enable':
        await updateWebhookEndpoint(db, endpointId, { isEnabled: true });
        return { done: 'Enabled. Replay its dead letters to send what it missed.' };
      case 'disable':
        await updateWebhookEndpoint(db, endpointId, { isEnabled: false });
        return { done: 'Disabled: its waiting deliveries are dead letters now.' };
      case 'rotate': {
        const row = await rotateWebhookSecret(db, endpointId, {
          secret: generateWebhookSecret(),
          keepPreviousMs: 24 * 60 * 60 * 1000,
        });
        return { done: 'New secret: the previous one keeps signing for 24 h.', secret: row.secret };
      }
      case 'replay_dead': {
        const count = await replayDeliveries(db, { endpointId, isDead: true });
        return { done: `${count} dead deliveries queued again.` };
      }
      case 'delete':
        await deleteWebhookEndpoint(db, endpointId);
        return { done: `Deleted ${endpointId}.` };
    }
  });
}

export const ENDPOINT_ACTIONS: readonly EndpointAction[] = [
  'enable',
  'disable',
  'rotate',
  'replay_dead',
  'delete',
];
