import { parseDurationMs } from '@kombo-sync/config';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listEndpointDeliveryStats,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  WebhookEndpointNotFoundError,
  type DbLike,
  type WebhookEndpointChange,
  type WebhookEndpointRow,
} from '@kombo-sync/db';
import {
  generateWebhookSecret,
  parseEndpointUrl,
  parseIntegrationFilter,
  parseModelFilter,
  redactUrl,
  summarizeEndpoint,
} from '@kombo-sync/delivery';
import { CliError, EXIT, UsageError } from '../errors.js';
import { formatDuration, formatTable, formatTime } from '../format.js';
import type { Output } from '../output.js';

export interface EndpointsDeps {
  db: DbLike;
  out: Output;
  /** Clock for the lag column; default `Date.now`. */
  now?: () => number;
}

/** Runs `fn`, turning the store's and the parsers' errors into CLI errors (exit 3 unknown endpoint, 2 bad input). */
export async function asCliErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof WebhookEndpointNotFoundError)
      throw new CliError(
        `Unknown endpoint: ${err.endpointId} (see \`kombo-sync endpoints list\`)`,
        EXIT.notFound,
      );
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

/** An endpoint as shown: the URL redacted (it may carry a token), never the secrets. */
export const endpointView = (row: WebhookEndpointRow) => summarizeEndpoint(row);

/** `kombo-sync endpoints list`: every endpoint with its state and deliveries waiting. */
export async function runEndpointsList(deps: EndpointsDeps, { json }: { json?: boolean }): Promise<number> {
  const [rows, stats] = await Promise.all([
    listWebhookEndpoints(deps.db),
    listEndpointDeliveryStats(deps.db),
  ]);
  const statsOf = new Map(stats.map((s) => [s.endpointId, s]));
  const now = (deps.now ?? Date.now)();
  const views = rows.map((row) => {
    const s = statsOf.get(row.id);
    return {
      ...endpointView(row),
      pending: (s?.pending ?? 0) + (s?.inFlight ?? 0),
      dead: s?.dead ?? 0,
      lagMs: s?.oldestWaitingAt ? now - s.oldestWaitingAt.getTime() : 0,
    };
  });
  if (json) {
    deps.out.out(JSON.stringify({ endpoints: views }, null, 2));
    return EXIT.ok;
  }
  if (views.length === 0) {
    deps.out.out('No webhook endpoints (add one with `kombo-sync endpoints create <url>`).');
    return EXIT.ok;
  }
  deps.out.out(
    formatTable(
      ['ENDPOINT', 'URL', 'MODELS', 'INTEGRATIONS', 'STATE', 'WAITING', 'DEAD', 'LAG', 'LAST SUCCESS'],
      views.map((v) => [
        v.id,
        v.url,
        v.models?.join(',') ?? 'all',
        v.integrationIds?.join(',') ?? 'all',
        v.isEnabled ? `enabled${v.isRotating ? ' (rotating)' : ''}` : `DISABLED: ${v.disabledReason ?? ''}`,
        v.pending,
        v.dead,
        formatDuration(v.lagMs),
        formatTime(v.lastSuccessAt),
      ]),
    ),
  );
  return EXIT.ok;
}

export interface EndpointsCreateOptions {
  url: string;
  models?: string;
  integrations?: string;
  json?: boolean;
}

/** `kombo-sync endpoints create <url>`: records an endpoint and prints its id and signing secret (shown once). */
export async function runEndpointsCreate(
  deps: EndpointsDeps,
  options: EndpointsCreateOptions,
): Promise<number> {
  const row = await asCliErrors(async () =>
    createWebhookEndpoint(deps.db, {
      url: parseEndpointUrl(options.url),
      secret: generateWebhookSecret(),
      models: options.models === undefined ? null : parseModelFilter(options.models),
      integrationIds:
        options.integrations === undefined ? null : parseIntegrationFilter(options.integrations),
    }),
  );
  if (options.json) deps.out.out(JSON.stringify({ ...endpointView(row), secret: row.secret }, null, 2));
  else
    deps.out.out(
      `Created ${row.id} → ${redactUrl(row.url)}\nSigning secret (shown once; give it to the receiver): ${row.secret}`,
    );
  return EXIT.ok;
}

export interface EndpointsUpdateOptions {
  endpointId: string;
  url?: string;
  models?: string;
  integrations?: string;
  enable?: boolean;
  disable?: boolean;
  json?: boolean;
}

/** `kombo-sync endpoints update <id>`: URL, filters, enable (clears the failure streak) or disable. */
export async function runEndpointsUpdate(
  deps: EndpointsDeps,
  options: EndpointsUpdateOptions,
): Promise<number> {
  if (options.enable && options.disable) throw new UsageError('--enable and --disable exclude each other');
  const row = await asCliErrors(async () => {
    const change: WebhookEndpointChange = {
      ...(options.url !== undefined && { url: parseEndpointUrl(options.url) }),
      ...(options.models !== undefined && { models: parseModelFilter(options.models) }),
      ...(options.integrations !== undefined && {
        integrationIds: parseIntegrationFilter(options.integrations),
      }),
      ...(options.enable && { isEnabled: true }),
      ...(options.disable && { isEnabled: false }),
    };
    return updateWebhookEndpoint(deps.db, options.endpointId, change);
  });
  deps.out.out(
    options.json
      ? JSON.stringify(endpointView(row), null, 2)
      : `Updated ${row.id}: ${row.isEnabled ? 'enabled' : `disabled (${row.disabledReason ?? ''})`}`,
  );
  return EXIT.ok;
}

/** `kombo-sync endpoints rotate-secret <id>`: a new secret; the old one keeps signing for `--keep-previous`. */
export async function runEndpointsRotate(
  deps: EndpointsDeps,
  { endpointId, keepPrevious = '24h', json }: { endpointId: string; keepPrevious?: string; json?: boolean },
): Promise<number> {
  const keepPreviousMs = keepPrevious === '0' ? 0 : parseDurationMs(keepPrevious);
  if (keepPreviousMs === undefined) throw new UsageError('--keep-previous: a duration like 24h or 7d, or 0');
  const row = await asCliErrors(() =>
    rotateWebhookSecret(deps.db, endpointId, { secret: generateWebhookSecret(), keepPreviousMs }),
  );
  if (json) deps.out.out(JSON.stringify({ ...endpointView(row), secret: row.secret }, null, 2));
  else
    deps.out.out(
      `New signing secret of ${row.id} (shown once): ${row.secret}\n` +
        (keepPreviousMs > 0
          ? `Webhooks carry a signature with the previous secret too until ${formatTime(row.previousSecretExpiresAt)}.`
          : 'The previous secret no longer signs.'),
    );
  return EXIT.ok;
}

/** `kombo-sync endpoints delete <id>`: the endpoint, its deliveries and their log. */
export async function runEndpointsDelete(
  deps: EndpointsDeps,
  { endpointId }: { endpointId: string },
): Promise<number> {
  await asCliErrors(() => deleteWebhookEndpoint(deps.db, endpointId));
  deps.out.out(`Deleted ${endpointId}`);
  return EXIT.ok;
}
