import {
  getWebhookEndpoint,
  listDeliveries,
  listDeliveryAttempts,
  replayDeliveries,
  type DbLike,
  type DeliveryState,
} from '@kombo-sync/db';
import { EXIT, UsageError } from '../errors.js';
import { formatTable, formatTime } from '../format.js';
import type { Output } from '../output.js';
import { asCliErrors } from './endpoints.js';

const STATES: readonly DeliveryState[] = ['pending', 'in_flight', 'delivered', 'dead'];

export interface DeliveriesListOptions {
  endpointId: string;
  state?: string;
  limit?: number;
  /** Print every attempt of each delivery too. */
  attempts?: boolean;
  json?: boolean;
}

type DeliveryEntry = Awaited<ReturnType<typeof listDeliveries>>[number] & { webhookId: string };

/** The delivery log as a table: one row per delivery, its attempts, last outcome and next retry. */
function deliveriesTable(entries: readonly DeliveryEntry[]): string {
  return formatTable(
    [
      'DELIVERY',
      'WEBHOOK-ID',
      'INTEGRATION',
      'MODEL',
      'SEQ',
      'STATE',
      'ATTEMPTS',
      'LAST',
      'LATENCY',
      'NEXT RETRY',
      'CREATED',
    ],
    entries.map((e) => [
      e.id,
      e.webhookId,
      e.integrationId,
      e.model,
      e.seq,
      e.state,
      e.attempts,
      e.lastStatus ?? e.lastError,
      e.lastLatencyMs === null ? null : `${e.lastLatencyMs} ms`,
      e.state === 'pending' ? (e.nextAttemptAt ? formatTime(e.nextAttemptAt) : 'now') : null,
      e.createdAt,
    ]),
  );
}

/** `kombo-sync deliveries list <endpoint>`: the delivery log, newest first: attempts, status, latency, next retry. */
export async function runDeliveriesList(
  deps: { db: DbLike; out: Output },
  options: DeliveriesListOptions,
): Promise<number> {
  if (options.state !== undefined && !STATES.includes(options.state as DeliveryState))
    throw new UsageError(`--state: one of ${STATES.join(', ')}`);
  await asCliErrors(() => getWebhookEndpoint(deps.db, options.endpointId));
  const rows = await listDeliveries(deps.db, {
    endpointId: options.endpointId,
    ...(options.state ? { state: options.state as DeliveryState } : {}),
    limit: options.limit ?? 50,
  });
  const withAttempts = options.attempts || options.json;
  const entries = await Promise.all(
    rows.map(async (row) => ({
      ...row,
      webhookId: `msg_${row.messageId}`,
      ...(withAttempts ? { attemptLog: await listDeliveryAttempts(deps.db, row.id) } : {}),
    })),
  );
  if (options.json) {
    deps.out.out(JSON.stringify({ deliveries: entries }, null, 2));
    return EXIT.ok;
  }
  if (entries.length === 0) {
    deps.out.out('No deliveries.');
    return EXIT.ok;
  }
  deps.out.out(deliveriesTable(entries));
  if (options.attempts)
    for (const e of entries)
      for (const a of e.attemptLog ?? [])
        deps.out.out(
          `  ${e.id} #${a.attempt} ${formatTime(a.startedAt)} ${a.outcome} ${a.statusCode ?? '-'} ${a.latencyMs} ms${a.error ? ` ${a.error}` : ''}`,
        );
  return EXIT.ok;
}

export interface DeliveriesReplayOptions {
  endpointId: string;
  dead?: boolean;
  since?: string;
  until?: string;
  json?: boolean;
}

function parseTime(name: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const at = new Date(value);
  if (Number.isNaN(at.getTime()))
    throw new UsageError(`${name}: an ISO 8601 time, e.g. 2026-01-31T12:00:00Z`);
  return at;
}

/**
 * `kombo-sync deliveries replay <endpoint> --dead | --since <time> [--until <time>]`: sends the dead letters, or
 * the delivered and dead deliveries created in the range, again (same `webhook-id`, in order).
 */
export async function runDeliveriesReplay(
  deps: { db: DbLike; out: Output },
  options: DeliveriesReplayOptions,
): Promise<number> {
  const since = parseTime('--since', options.since);
  const until = parseTime('--until', options.until);
  if (!options.dead && since === undefined && until === undefined)
    throw new UsageError('say what to replay: --dead, or a range with --since and/or --until');
  const endpoint = await asCliErrors(() => getWebhookEndpoint(deps.db, options.endpointId));
  const count = await replayDeliveries(deps.db, {
    endpointId: options.endpointId,
    ...(options.dead ? { isDead: true } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  });
  if (options.json) deps.out.out(JSON.stringify({ endpointId: endpoint.id, replayed: count }));
  else
    deps.out.out(
      `${count} deliveries of ${endpoint.id} queued again` +
        (endpoint.isEnabled
          ? '.'
          : ` (the endpoint is disabled: enable it with \`kombo-sync endpoints update ${endpoint.id} --enable\`).`),
    );
  return EXIT.ok;
}
