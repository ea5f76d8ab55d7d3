import type { DbLike } from '@kombo-sync/db';
import { EXIT } from '../errors.js';
import { formatDuration, formatTable, formatTime, truncate } from '../format.js';
import type { Output } from '../output.js';
import { loadDetail, loadSummaries, type IntegrationDetail, type IntegrationSummary } from './status-data.js';

export interface StatusDeps {
  db: DbLike;
  out: Output;
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
 * `kombo-sync status [integration]`: a table of every integration (state, models synced/failed, oldest watermark
 * lag, last success, last error; then the integrations with quarantined records) or one integration's per-model
 * state (quarantined records counted, the latest 20 listed) and its last 5 runs. Exit 0; 3 when the
 * integration is unknown (thrown).
 */
export async function runStatus(deps: StatusDeps, options: StatusOptions = {}): Promise<number> {
  const now = (deps.now ?? (() => new Date()))();
  if (options.integrationId === undefined) {
    const summaries = await loadSummaries(deps.db, now);
    deps.out.out(
      options.json ? JSON.stringify({ integrations: summaries }, null, 2) : renderSummaries(summaries),
    );
    return EXIT.ok;
  }
  const detail = await loadDetail(deps.db, options.integrationId, now);
  deps.out.out(options.json ? JSON.stringify(detail, null, 2) : renderDetail(detail));
  return EXIT.ok;
}

function renderSummaries(summaries: IntegrationSummary[]): string {
  if (summaries.length === 0) return 'No integrations.';
  const quarantined = summaries.filter((s) => s.quarantined > 0);
  const notFound = summaries.filter((s) => s.notFoundSince !== null);
  const footer =
    (quarantined.length === 0
      ? ''
      : `\n\nQuarantined records (set aside, retried on each pass; see status <integration>): ` +
        quarantined.map((s) => `${s.id} ${s.quarantined}`).join(', ')) +
    (notFound.length === 0
      ? ''
      : `\n\nNot found at Kombo (flagged; rows and schedules kept until SYNC_NOT_FOUND_GRACE_MS passes): ` +
        notFound.map((s) => `${s.id} since ${formatTime(s.notFoundSince)}`).join(', '));
  return `${formatTable(
    ['INTEGRATION', 'TOOL', 'STATE', 'SYNCED', 'FAILED', 'OLDEST LAG', 'LAST SUCCESS', 'LAST ERROR'],
    summaries.map((s) => [
      s.id,
      s.tool,
      `${s.state ?? '-'}${s.isPaused ? ' (paused)' : ''}${s.notFoundSince ? ' (not found)' : ''}`,
      s.modelsSynced,
      s.modelsFailed,
      formatDuration(s.oldestLagMs),
      formatTime(s.lastSuccessAt),
      truncate(s.lastError, 50),
    ]),
  )}${footer}`;
}

function renderDetail({ integration, models, runs, quarantinedRecords }: IntegrationDetail): string {
  const head =
    `${integration.id}  tool=${integration.tool}  category=${integration.category}  ` +
    `state=${integration.state ?? '-'}${integration.isPaused ? '  paused' : ''}`;
  const modelTable = formatTable(
    ['MODEL', 'WATERMARK', 'LAG', 'LAST SUCCESS', 'ROWS', 'DELETED', 'FAILURES', 'LAST ERROR', 'QUARANTINED'],
    models.map((m) => [
      m.model,
      formatTime(m.watermark),
      formatDuration(m.lagMs),
      formatTime(m.lastSuccessAt),
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
