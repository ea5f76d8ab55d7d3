import { isEnvironmentName } from '@kombo-sync/config';
import {
  ATTENTION_FILTERS,
  countIntegrationStatus,
  DEFAULT_LAG_THRESHOLD_MS,
  isStatusFilterName,
  listConnectionFlowFailures,
  listEndpointDeliveryStats,
  listIntegrationStatus,
  loadFleetStatus,
  loadIntegrationStatus,
  MAX_STATUS_PAGE_SIZE,
  STATUS_FILTER_NAMES,
  STATUS_FILTERS,
  type ConnectionFlowFailureRow,
  type DbLike,
  type EndpointDeliveryStats,
  type FleetSummary,
  type IntegrationStatus,
  type IntegrationStatusDetail,
  type KomboSync,
  type RunningProgress,
  type StatusFilterName,
  type StatusQuery,
} from '@kombo-sync/db';
import { loadLaneDepth, type LaneDepth, type SyncQueues } from '@kombo-sync/queue';
import { EXIT, IntegrationNotFoundError, UsageError } from '../errors.js';
import { formatProgress } from '../format-progress.js';
import { formatDuration, formatTable, formatTime, truncate } from '../format.js';
import { commaList } from '../models-option.js';
import type { Output } from '../output.js';
import { terminalJson, terminalText } from '../terminal-text.js';

export interface StatusDeps {
  db: DbLike;
  out: Output;
  /** Both lanes, for the queues' depth; resolved lazily (Redis down: the rest is still shown). */
  queues?: () => Promise<SyncQueues>;
  /** Clock for lags; default `new Date()`. */
  now?: () => Date;
  /** A model not synced successfully for this long makes its integration lag (STATUS_LAG_THRESHOLD_MS). */
  lagThresholdMs?: number;
}

export interface StatusOptions {
  /** Show one integration's models and runs instead of the fleet. */
  integrationId?: string;
  /** Print JSON instead of text. */
  json?: boolean;
  /** Every selected integration, not the first `limit`; without `filter`, every integration. */
  all?: boolean;
  /** `--filter failing,lagging`: integrations in any of these states, or `all`; default: those needing attention. */
  filter?: string;
  /** A piece of the id, origin id or organisation name. */
  search?: string;
  category?: string;
  tool?: string;
  /** `--environment us`: integrations of this Kombo environment (`default`: KOMBO_API_KEY's). */
  environment?: string;
  /** Integrations listed without `all`; default 20. */
  limit?: number;
}

/** Integrations `kombo-sync status` lists without `--all`. */
export const DEFAULT_STATUS_LIMIT = 20;

/** The states selected by `--filter` (comma-separated names, or `all`); a {@link UsageError} names bad ones. */
export function parseFilterOption(value: string | undefined, { all }: { all: boolean }): StatusFilterName[] {
  if (value === undefined) return all ? [] : [...ATTENTION_FILTERS];
  const names = commaList(value);
  if (names.includes('all')) return [];
  const unknown = names.filter((name) => !isStatusFilterName(name));
  if (names.length === 0 || unknown.length > 0)
    throw new UsageError(
      `--filter takes states separated by commas, or all: ${STATUS_FILTER_NAMES.join(', ')}` +
        (unknown.length > 0 ? ` (not ${unknown.map((name) => terminalText(name, 40)).join(', ')})` : ''),
    );
  return names as StatusFilterName[];
}

/** `--environment`: `default` or a name KOMBO_ENVIRONMENTS may list; a {@link UsageError} otherwise. */
function parseEnvironmentOption(value: string): string {
  if (isEnvironmentName(value)) return value;
  throw new UsageError(
    `--environment takes default or an environment name of KOMBO_ENVIRONMENTS (not ${terminalText(value, 40)})`,
  );
}

/** The selection of `status` options (a {@link UsageError} names a bad one), its first page's size. */
function statusQuery(
  options: StatusOptions,
  clock: Pick<StatusQuery, 'now' | 'lagThresholdMs'>,
): StatusQuery {
  const all = options.all ?? false;
  const limit = options.limit ?? DEFAULT_STATUS_LIMIT;
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a whole number of at least 1');
  return {
    ...clock,
    filters: parseFilterOption(options.filter, { all }),
    ...(options.search ? { search: options.search } : {}),
    ...(options.category ? { category: options.category } : {}),
    ...(options.tool ? { tool: options.tool } : {}),
    ...(options.environment === undefined
      ? {}
      : { environment: parseEnvironmentOption(options.environment) }),
    limit: all ? MAX_STATUS_PAGE_SIZE : Math.min(limit, MAX_STATUS_PAGE_SIZE),
  };
}

/**
 * `kombo-sync status`: the fleet summary (integrations per health and state, the queues' depth per lane, the
 * oldest lag), then the integrations needing attention (failing, lagging, not found, quarantined), at most `limit`
 * (20) unless `--all`; `--filter`, `--search`, `--category`, `--tool`, `--environment` select others; then the
 * connection flows that failed in the last 7 days and the webhook endpoints that are disabled, failing or hold dead
 * letters.
 * `status <integration>`: one integration's models (each with its current or last pass: pages and records done vs.
 * expected, ETA), quarantined records (the latest 20) and last 5 runs. Exit 0; 3 when the integration is unknown
 * (thrown); 2 for a bad option.
 */
export async function runStatus(deps: StatusDeps, options: StatusOptions = {}): Promise<number> {
  const clock = {
    now: (deps.now ?? (() => new Date()))(),
    lagThresholdMs: deps.lagThresholdMs ?? DEFAULT_LAG_THRESHOLD_MS,
  };
  if (options.integrationId !== undefined)
    return printDetail(deps, options.integrationId, clock, options.json);
  const all = options.all ?? false;
  const query = statusQuery(options, clock);
  const queues = deps.queues;
  const [status, flows, endpoints] = await Promise.all([
    loadFleetStatus(deps.db, query, queues ? async () => loadLaneDepth(await queues()) : undefined),
    listConnectionFlowFailures(deps.db),
    listEndpointDeliveryStats(deps.db),
  ]);
  const integrations = [...status.page.integrations];
  // --all: the rest, page by page (keyset), so memory per query stays bounded however large the fleet.
  for (let after = status.page.nextAfter; all && after !== null;) {
    const page = await listIntegrationStatus(deps.db, { ...query, after });
    integrations.push(...page.integrations);
    after = page.nextAfter;
  }
  const total =
    all || status.page.nextAfter === null
      ? integrations.length
      : await countIntegrationStatus(deps.db, query);
  if (options.json) {
    deps.out.out(
      terminalJson({
        summary: status.summary,
        lanes: status.lanes,
        selected: total,
        integrations,
        connectionFlowFailures: flows,
        webhookEndpoints: endpoints,
      }),
    );
    return EXIT.ok;
  }
  deps.out.out(
    [
      renderSummary(status.summary, status.lanes),
      renderSelection(query, options, integrations, total),
      ...(flows.length > 0 ? [renderFlows(flows)] : []),
      ...renderEndpoints(endpoints, clock.now),
    ].join('\n\n'),
  );
  return EXIT.ok;
}

/** `status <integration>`: one integration's models, quarantined records (the latest 20) and last 5 runs. */
async function printDetail(
  deps: StatusDeps,
  integrationId: string,
  clock: { now: Date; lagThresholdMs: number },
  isJson: boolean | undefined,
): Promise<number> {
  const detail = await loadIntegrationStatus(deps.db, integrationId, {
    ...clock,
    runLimit: 5,
    quarantineLimit: 20,
  });
  if (!detail) throw new IntegrationNotFoundError(integrationId);
  deps.out.out(isJson ? terminalJson(detail) : renderDetail(detail));
  return EXIT.ok;
}

function renderSummary(summary: FleetSummary, lanes: LaneDepth[] | { error: string } | null): string {
  const states = STATUS_FILTERS.map((filter) => `${summary.states[filter.name]} ${filter.name}`).join(', ');
  const oldest = summary.oldestLag
    ? `${formatDuration(summary.oldestLag.lagSeconds * 1000)} (${terminalText(summary.oldestLag.integrationId, 120)}, ` +
      `${summary.oldestLag.model})`
    : '-';
  const lines = [
    `Integrations: ${summary.integrations} (${summary.health.ok} ok); ${states}`,
    `Oldest lag: ${oldest}`,
  ];
  if (lanes === null) return lines.join('\n');
  if (!Array.isArray(lanes))
    return [...lines, `Queues: unavailable (${terminalText(lanes.error, 300)})`].join('\n');
  return [
    ...lines,
    `Queues:\n${formatTable(
      ['LANE', 'QUEUE', 'WAITING', 'DELAYED', 'ACTIVE'],
      lanes.map((d) => [d.lane, d.queue, d.waiting, d.delayed, d.active]),
    )}`,
  ].join('\n');
}

function describeSelection(query: StatusQuery, options: StatusOptions): string {
  const filters = query.filters ?? [];
  const parts = [filters.length === 0 ? 'All integrations' : `Integrations ${filters.join(' or ')}`];
  if (query.category) parts.push(`category ${terminalText(query.category, 40)}`);
  if (query.tool) parts.push(`tool ${terminalText(query.tool, 40)}`);
  if (query.environment) parts.push(`environment ${query.environment}`);
  if (query.search) parts.push(`matching "${terminalText(query.search, 60)}"`);
  if (options.filter === undefined && !options.all)
    return ['Needing attention', ...(query.environment ? [`environment ${query.environment}`] : [])].join(
      ', ',
    );
  return parts.join(', ');
}

function renderSelection(
  query: StatusQuery,
  options: StatusOptions,
  integrations: IntegrationStatus[],
  total: number,
): string {
  const title = `${describeSelection(query, options)}: ${total}${integrations.length < total ? `, first ${integrations.length}` : ''}`;
  if (integrations.length === 0) return `${title}.`;
  const table = formatTable(
    [
      'INTEGRATION',
      'ENVIRONMENT',
      'TOOL',
      'STATE',
      'HEALTH',
      'SYNCED',
      'FAILED',
      'LAG',
      'LAST SUCCESS',
      'RUNNING',
      'LAST ERROR',
    ],
    integrations.map((s) => [
      s.id,
      s.environment,
      s.tool,
      formatState(s),
      [s.health, ...s.flags.filter((flag) => flag !== s.health)].join(','),
      `${s.modelCounts.synced}/${s.modelCounts.active}`,
      s.modelCounts.failing,
      formatDuration(s.maxLagSeconds === null ? null : s.maxLagSeconds * 1000),
      formatTime(s.lastSuccessAt),
      formatRunning(s.running),
      s.lastError ? truncate(`${s.lastError.code ?? 'ERROR'}: ${s.lastError.message ?? ''}`, 50) : null,
    ]),
  );
  const more =
    integrations.length < total
      ? `\n… ${total - integrations.length} more: add --all (or narrow with --filter, --search, --category, --tool, --environment)`
      : '';
  const komboFailed = integrations.filter((s) => s.komboSync?.isFailed);
  const komboFooter =
    komboFailed.length === 0
      ? ''
      : `\n\nKombo's own latest sync failed (Kombo's data may be stale):\n` +
        komboFailed
          .map((s) => `  ${terminalText(s.id, 120)} ${s.komboSync ? formatKomboSync(s.komboSync) : ''}`)
          .join('\n');
  return `${title}\n${table}${more}${komboFooter}`;
}

/** `FAILED at <time> (log <url>)` of Kombo's own sync. */
function formatKomboSync(sync: KomboSync): string {
  return `${sync.state} at ${formatTime(sync.endedAt)}${sync.logUrl ? ` (log ${terminalText(sync.logUrl, 200)})` : ''}`;
}

/** Kombo's state, with its setup status when the setup is not complete, and the operator's or Kombo's flags. */
function formatState(
  s: Pick<IntegrationStatus, 'state' | 'setupStatus' | 'isPaused' | 'notFoundSince'>,
): string {
  const setup = s.setupStatus && s.setupStatus !== 'COMPLETED' ? ` (setup ${s.setupStatus})` : '';
  return `${s.state ?? '-'}${setup}${s.isPaused ? ' (paused)' : ''}${s.notFoundSince ? ' (not found)' : ''}`;
}

/** The connection flows that failed recently (no integration was created). */
function renderFlows(flows: readonly ConnectionFlowFailureRow[]): string {
  return `Connection flows that failed (last 7 days; no integration was created):\n${formatTable(
    ['AT', 'ORGANIZATION', 'TOOL', 'CATEGORY', 'KOMBO LOG'],
    flows.map((f) => [formatTime(f.receivedAt), f.organizationName, f.tool, f.category, f.logUrl]),
  )}`;
}

/** Webhook endpoints that need a look (disabled, failing, or holding dead letters): none when all are well. */
function renderEndpoints(endpoints: readonly EndpointDeliveryStats[], now: Date): string[] {
  const lines = endpoints.flatMap((e) => {
    const problems = [
      ...(e.isEnabled ? [] : [`DISABLED (${terminalText(e.disabledReason ?? '', 200)})`]),
      ...(e.failingSince ? [`failing since ${formatTime(e.failingSince)}`] : []),
      ...(e.dead > 0 ? [`${e.dead} dead`] : []),
    ];
    if (problems.length === 0) return [];
    const lag = e.oldestWaitingAt
      ? `, lag ${formatDuration(now.getTime() - e.oldestWaitingAt.getTime())}`
      : '';
    return [`${terminalText(e.endpointId, 120)}: ${problems.join(', ')}${lag}`];
  });
  return lines.length === 0
    ? []
    : [
        `Webhook endpoints (see \`kombo-sync endpoints list\`, \`deliveries list <endpoint>\`):\n${lines.join('\n')}`,
      ];
}

function formatRunning(p: RunningProgress | null): string {
  if (!p) return '-';
  const records = p.expectedRecords === null ? `${p.recordsDone}` : `${p.recordsDone}/${p.expectedRecords}`;
  const eta = p.etaSeconds === null ? '' : `, ETA ${formatDuration(p.etaSeconds * 1000)}`;
  return `${p.passes} pass${p.passes === 1 ? '' : 'es'}: ${records} records${eta}`;
}

/** The models of an integration: watermark, lag, progress, rows, failures and the last error or skip. */
function modelsTable(models: IntegrationStatusDetail['models']): string {
  return formatTable(
    [
      'MODEL',
      'WATERMARK',
      'LAG',
      'LAST SUCCESS',
      'PROGRESS',
      'ROWS',
      'DELETED',
      'FAILURES',
      'LAST ERROR',
      'QUARANTINED',
    ],
    models.map((m) => [
      m.model,
      formatTime(m.watermark),
      formatDuration(m.lagSeconds === null ? null : m.lagSeconds * 1000),
      formatTime(m.lastSuccessAt),
      formatProgress(m.progress),
      m.rows.total,
      m.rows.deleted,
      m.consecutiveFailures,
      m.lastError
        ? truncate(`${m.lastError.code ?? 'ERROR'}: ${m.lastError.message ?? ''}`, 50)
        : m.skippedReason && `skipped: ${m.skippedReason}`,
      m.quarantined,
    ]),
  );
}

function renderDetail(detail: IntegrationStatusDetail): string {
  const head =
    `${terminalText(detail.id, 120)}  environment=${detail.environment}  tool=${terminalText(detail.tool, 60)}  ` +
    `category=${terminalText(detail.category, 60)}  state=${terminalText(detail.state ?? '-', 60)}` +
    `  setup=${terminalText(detail.setupStatus ?? '-', 60)}${detail.isPaused ? '  paused' : ''}` +
    `${detail.notFoundSince ? `  not found since ${formatTime(detail.notFoundSince)}` : ''}  health=${detail.health}` +
    (detail.komboSync ? `\nKombo's latest sync: ${formatKomboSync(detail.komboSync)}` : '');
  const modelTable = modelsTable(detail.models);
  const quarantineTable =
    detail.quarantinedRecords.length === 0
      ? ''
      : '\n\nQuarantined records (not stored; retried on each pass of the model):\n' +
        formatTable(
          ['MODEL', 'RECORD', 'ATTEMPTS', 'FIRST SEEN', 'LAST SEEN', 'REASON'],
          detail.quarantinedRecords.map((q) => [
            q.model,
            truncate(q.recordId, 80),
            q.attempts,
            formatTime(q.firstSeenAt),
            formatTime(q.lastSeenAt),
            truncate(q.reason, 80),
          ]),
        );
  const runTable =
    detail.recentRuns.length === 0
      ? 'No runs yet.'
      : formatTable(
          ['RUN', 'KIND', 'TRIGGER', 'STATUS', 'STARTED', 'DURATION', 'ERROR'],
          detail.recentRuns.map((r) => [
            r.id,
            r.kind,
            r.trigger,
            r.status,
            formatTime(r.startedAt),
            r.durationSeconds === null ? 'running' : formatDuration(r.durationSeconds * 1000),
            truncate(r.error, 50),
          ]),
        );
  return `${head}\n\n${modelTable}${quarantineTable}\n\nLast runs:\n${runTable}`;
}
