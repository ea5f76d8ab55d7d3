import {
  KOMBO_SYNC_FAILURE_STATES,
  listConnectionFlowFailures,
  listEndpointDeliveryStats,
  type ConnectionFlowFailureRow,
  type DbLike,
  type EndpointDeliveryStats,
} from '@kombo-sync/db';
import type { SyncQueues } from '@kombo-sync/queue';
import { environmentOf } from '@kombo-sync/kombo';
import { EXIT } from '../errors.js';
import { formatProgress } from '../format-progress.js';
import { formatDuration, formatTable, formatTime, truncate } from '../format.js';
import type { Output } from '../output.js';
import { loadQueueDepth, type LaneDepth } from './queue-depth.js';
import {
  komboSyncOf,
  loadDetail,
  loadSummaries,
  type KomboSyncView,
  type IntegrationDetail,
  type IntegrationSummary,
  type RunningProgress,
} from './status-data.js';

export interface StatusDeps {
  db: DbLike;
  out: Output;
  /** Both lanes, for the queue depth of the list; resolved lazily (Redis down: the rest is still shown). */
  queues?: () => Promise<SyncQueues>;
  /** Clock for lags; default `new Date()`. */
  now?: () => Date;
}

export interface StatusOptions {
  /** Show one integration's models and runs instead of the list. */
  integrationId?: string;
  /** Print JSON instead of a table. */
  json?: boolean;
}

/**
 * `kombo-sync status [integration]`: a table of every integration (Kombo's state and unfinished setup, models
 * synced/failed, lag: the time since its stalest model's last successful sync, last success, its running passes
 * with an ETA, last error; then the integrations with quarantined records, not found, or whose own Kombo sync
 * failed, and the connection flows that failed in the last 7 days), the depth of both lanes of sync jobs and the
 * webhook endpoints that are disabled, failing or hold dead letters; or one integration's
 * per-model state (with each model's current or last pass: pages and records done vs. expected, ETA; quarantined
 * records counted, the latest 20 listed) and its last 5 runs. Exit 0; 3 when the
 * integration is unknown (thrown).
 */
export async function runStatus(deps: StatusDeps, options: StatusOptions = {}): Promise<number> {
  const now = (deps.now ?? (() => new Date()))();
  if (options.integrationId === undefined) {
    const [summaries, depth, flows, endpoints] = await Promise.all([
      loadSummaries(deps.db, now),
      queueDepth(deps),
      listConnectionFlowFailures(deps.db),
      listEndpointDeliveryStats(deps.db),
    ]);
    deps.out.out(
      options.json
        ? JSON.stringify(
            {
              integrations: summaries,
              connectionFlowFailures: flows,
              ...(depth ? { queues: depth } : {}),
              webhookEndpoints: endpoints,
            },
            null,
            2,
          )
        : `${renderSummaries(summaries)}${renderFlows(flows)}${depth ? `\n\n${renderDepth(depth)}` : ''}${renderEndpoints(endpoints, now)}`,
    );
    return EXIT.ok;
  }
  const detail = await loadDetail(deps.db, options.integrationId, now);
  deps.out.out(options.json ? JSON.stringify(detail, null, 2) : renderDetail(detail));
  return EXIT.ok;
}

/** The lanes' depth, or why it is unknown (the status of the mirror does not need Redis). */
async function queueDepth(deps: StatusDeps): Promise<LaneDepth[] | { error: string } | undefined> {
  if (!deps.queues) return undefined;
  try {
    return await loadQueueDepth(await deps.queues());
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function renderDepth(depth: LaneDepth[] | { error: string }): string {
  if (!Array.isArray(depth)) return `Queues: unavailable (${depth.error})`;
  return `Queues:\n${formatTable(
    ['LANE', 'QUEUE', 'WAITING', 'DELAYED', 'ACTIVE'],
    depth.map((d) => [d.lane, d.queue, d.waiting, d.delayed, d.active]),
  )}`;
}

/** Webhook endpoints that need a look: disabled, failing, or holding dead letters; nothing when all are well. */
function renderEndpoints(endpoints: EndpointDeliveryStats[], now: Date): string {
  const lines = endpoints.flatMap((e) => {
    const problems = [
      ...(e.isEnabled ? [] : [`DISABLED (${e.disabledReason ?? ''})`]),
      ...(e.failingSince ? [`failing since ${formatTime(e.failingSince)}`] : []),
      ...(e.dead > 0 ? [`${e.dead} dead`] : []),
    ];
    if (problems.length === 0) return [];
    const lag = e.oldestWaitingAt
      ? `, lag ${formatDuration(now.getTime() - e.oldestWaitingAt.getTime())}`
      : '';
    return [`${e.endpointId}: ${problems.join(', ')}${lag}`];
  });
  return lines.length === 0
    ? ''
    : `\n\nWebhook endpoints (see \`kombo-sync endpoints list\`, \`deliveries list <endpoint>\`):\n${lines.join('\n')}`;
}

function formatRunning(p: RunningProgress | null): string {
  if (!p) return '-';
  const records = p.expectedRecords === null ? `${p.recordsDone}` : `${p.recordsDone}/${p.expectedRecords}`;
  const eta = p.etaSeconds === null ? '' : `, ETA ${formatDuration(p.etaSeconds * 1000)}`;
  return `${p.passes} pass${p.passes === 1 ? '' : 'es'}: ${records} records${eta}`;
}

const FAILED_SYNC_STATES = new Set<string>(KOMBO_SYNC_FAILURE_STATES);

/** `FAILED at <time> (log <url>)` of Kombo's own sync. */
function formatKomboSync(sync: KomboSyncView): string {
  return `${sync.state} at ${formatTime(sync.endedAt)}${sync.logUrl ? ` (log ${sync.logUrl})` : ''}`;
}

/** Kombo's state, with its setup status when the setup is not complete. */
function formatState(state: string | null, setupStatus: string | null): string {
  return `${state ?? '-'}${setupStatus && setupStatus !== 'COMPLETED' ? ` (setup ${setupStatus})` : ''}`;
}

function renderFlows(flows: ConnectionFlowFailureRow[]): string {
  if (flows.length === 0) return '';
  return (
    `\n\nConnection flows that failed (last 7 days; no integration was created):\n` +
    formatTable(
      ['AT', 'ORGANIZATION', 'TOOL', 'CATEGORY', 'KOMBO LOG'],
      flows.map((f) => [formatTime(f.receivedAt), f.organizationName, f.tool, f.category, f.logUrl]),
    )
  );
}

function renderSummaries(summaries: IntegrationSummary[]): string {
  if (summaries.length === 0) return 'No integrations.';
  const quarantined = summaries.filter((s) => s.quarantined > 0);
  const notFound = summaries.filter((s) => s.notFoundSince !== null);
  const komboFailed = summaries.filter((s) => s.komboSync && FAILED_SYNC_STATES.has(s.komboSync.state));
  const footer =
    (quarantined.length === 0
      ? ''
      : `\n\nQuarantined records (set aside, retried on each pass; see status <integration>): ` +
        quarantined.map((s) => `${s.id} ${s.quarantined}`).join(', ')) +
    (notFound.length === 0
      ? ''
      : `\n\nNot found at Kombo (flagged; rows and schedules kept until SYNC_NOT_FOUND_GRACE_MS passes): ` +
        notFound.map((s) => `${s.id} since ${formatTime(s.notFoundSince)}`).join(', ')) +
    (komboFailed.length === 0
      ? ''
      : `\n\nKombo's own latest sync failed (Kombo's data may be stale):\n` +
        komboFailed.map((s) => `  ${s.id} ${s.komboSync ? formatKomboSync(s.komboSync) : ''}`).join('\n'));
  return `${formatTable(
    [
      'INTEGRATION',
      'ENVIRONMENT',
      'TOOL',
      'STATE',
      'SYNCED',
      'FAILED',
      'LAG',
      'LAST SUCCESS',
      'RUNNING',
      'LAST ERROR',
    ],
    summaries.map((s) => [
      s.id,
      s.environment,
      s.tool,
      `${formatState(s.state, s.setupStatus)}${s.isPaused ? ' (paused)' : ''}${s.notFoundSince ? ' (not found)' : ''}`,
      s.modelsSynced,
      s.modelsFailed,
      formatDuration(s.oldestLagMs),
      formatTime(s.lastSuccessAt),
      formatRunning(s.progress),
      truncate(s.lastError, 50),
    ]),
  )}${footer}`;
}

function renderDetail({ integration, models, runs, quarantinedRecords }: IntegrationDetail): string {
  const komboSync = komboSyncOf(integration);
  const head =
    `${integration.id}  environment=${environmentOf(integration.id)}  tool=${integration.tool}  ` +
    `category=${integration.category}  ` +
    `state=${integration.state ?? '-'}  setup=${integration.setupStatus ?? '-'}` +
    `${integration.isPaused ? '  paused' : ''}` +
    (komboSync ? `\nKombo's latest sync: ${formatKomboSync(komboSync)}` : '');
  const modelTable = formatTable(
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
      formatDuration(m.lagMs),
      formatTime(m.lastSuccessAt),
      formatProgress(m.progress),
      m.rows,
      m.deletedRows,
      m.consecutiveFailures,
      m.lastErrorCode
        ? truncate(`${m.lastErrorCode}: ${m.lastErrorMessage ?? ''}`, 50)
        : m.skippedReason && `skipped: ${m.skippedReason}`,
      m.quarantined,
    ]),
  );
  const quarantineTable =
    quarantinedRecords.length === 0
      ? ''
      : '\n\nQuarantined records (not stored; retried on each pass of the model):\n' +
        formatTable(
          ['MODEL', 'RECORD', 'ATTEMPTS', 'FIRST SEEN', 'LAST SEEN', 'REASON'],
          quarantinedRecords.map((q) => [
            q.model,
            q.recordId,
            q.attempts,
            formatTime(q.firstSeenAt),
            formatTime(q.lastSeenAt),
            truncate(q.reason, 80),
          ]),
        );
  const runTable =
    runs.length === 0
      ? 'No runs yet.'
      : formatTable(
          ['RUN', 'KIND', 'TRIGGER', 'STATUS', 'STARTED', 'DURATION', 'ERROR'],
          runs.map((r) => [
            r.id,
            r.kind,
            r.trigger,
            r.status,
            formatTime(r.startedAt),
            r.finishedAt ? formatDuration(r.finishedAt.getTime() - r.startedAt.getTime()) : 'running',
            truncate(r.error, 50),
          ]),
        );
  return `${head}\n\n${modelTable}${quarantineTable}\n\nLast runs:\n${runTable}`;
}
