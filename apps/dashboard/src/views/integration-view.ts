import type { IntegrationStatusDetail, ModelStatusRow, RunDetail } from '@kombo-sync/db';
import { formatCount, formatDuration, formatTime } from './format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import {
  errorCell,
  integrationPath,
  komboSyncBadge,
  lagCell,
  progressCell,
  runStatus,
  stateBadge,
  syncButtons,
} from './parts.js';

function modelRow(m: ModelStatusRow, lagThresholdMs: number): SafeHtml {
  return html`<tr data-model="${m.model}">
    <td>${m.model}</td>
    <td>${formatTime(m.watermark)}</td>
    <td>${lagCell(m, lagThresholdMs)}</td>
    <td>${progressCell(m.progress)}</td>
    <td class="num">${formatCount(m.rows.total)}</td>
    <td class="num">${formatCount(m.rows.deleted)}</td>
    <td>${formatTime(m.lastSuccessAt)}</td>
    <td>${formatTime(m.lastFullSyncAt)}</td>
    <td class="num">${m.consecutiveFailures}</td>
    <td>${m.skippedReason ? html`<span class="badge">${m.skippedReason}</span>` : errorCell(m.lastError)}</td>
  </tr>`;
}

function runRow(run: RunDetail): SafeHtml {
  const t = run.totals;
  return html`<tr data-run="${run.id}">
    <td>${run.id}</td>
    <td>${run.kind}</td>
    <td>${run.trigger}</td>
    <td>${runStatus(run)}</td>
    <td>${formatTime(run.startedAt)}</td>
    <td class="num">${formatDuration(run.durationSeconds)}</td>
    <td class="num">${formatCount(t.pages)}</td>
    <td class="num">${formatCount(t.upserted)}</td>
    <td class="num">${formatCount(t.unchanged)}</td>
    <td class="num">${formatCount(t.deleted)}</td>
    <td>${run.error ?? ''}</td>
  </tr>`;
}

/** Records set aside (not stored, retried on each pass of their model), when there are any. */
function quarantineSection(detail: IntegrationStatusDetail): SafeHtml | null {
  if (detail.quarantinedRecords.length === 0) return null;
  const rows = detail.quarantinedRecords.map(
    (q) =>
      html`<tr data-quarantined="${q.recordId}">
        <td>${q.model}</td>
        <td>${q.recordId}</td>
        <td class="num">${q.attempts}</td>
        <td>${formatTime(q.firstSeenAt)}</td>
        <td>${formatTime(q.lastSeenAt)}</td>
        <td>${q.reason}</td>
      </tr>`,
  );
  return html`<h2>Quarantined records (${detail.quarantined})</h2>
    <p>
      <small>Kombo sent them but they could not be stored; each pass of the model fetches them again.</small>
    </p>
    <table id="quarantine">
      <thead>
        <tr>
          <th>Model</th>
          <th>Record</th>
          <th>Attempts</th>
          <th>First seen</th>
          <th>Last seen</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        ${rows}
      </tbody>
    </table>`;
}

/** The models table: per model its watermark, lag, progress, rows, failures and last error. */
function modelsTable(models: IntegrationStatusDetail['models'], lagThresholdMs: number): SafeHtml {
  return html`<table id="models">
    <thead>
      <tr>
        <th>Model</th>
        <th>Watermark</th>
        <th>Lag</th>
        <th>Progress</th>
        <th>Rows</th>
        <th>Deleted</th>
        <th>Last success</th>
        <th>Last full sync</th>
        <th>Failures</th>
        <th>Last error</th>
      </tr>
    </thead>
    <tbody>
      ${
        models.length === 0
          ? html`<tr>
              <td colspan="10">Never synced.</td>
            </tr>`
          : models.map((m) => modelRow(m, lagThresholdMs))
      }
    </tbody>
  </table>`;
}

/** The recent runs table: per run its kind, trigger, status, timing and counts. */
function runsTable(runs: IntegrationStatusDetail['recentRuns']): SafeHtml {
  return html`<table id="runs">
    <thead>
      <tr>
        <th>Run</th>
        <th>Kind</th>
        <th>Trigger</th>
        <th>Status</th>
        <th>Started</th>
        <th>Duration</th>
        <th>Pages</th>
        <th>Upserted</th>
        <th>Unchanged</th>
        <th>Deleted</th>
        <th>Error</th>
      </tr>
    </thead>
    <tbody>
      ${
        runs.length === 0
          ? html`<tr>
              <td colspan="11">No runs yet.</td>
            </tr>`
          : runs.map(runRow)
      }
    </tbody>
  </table>`;
}

/**
 * One integration: state, per-model watermark/lag/rows/errors, quarantined records and its recent runs; its sync
 * buttons unless `csrfToken` is undefined (a read-only dashboard).
 */
export function integrationView(
  detail: IntegrationStatusDetail,
  {
    csrfToken,
    lagThresholdMs,
    queuedJobId,
  }: { csrfToken: string | undefined; lagThresholdMs: number; queuedJobId?: string },
): SafeHtml {
  const flash = queuedJobId ? html`<p class="flash" id="flash">Sync queued (job ${queuedJobId}).</p>` : null;
  const body = html`${flash}
    <h1>${detail.id}</h1>
    <p>
      ${detail.tool} · ${detail.category} · environment ${detail.environment} ·
      ${stateBadge(detail.state, detail.isPaused, detail.notFoundSince, detail.setupStatus)}${komboSyncBadge(detail.komboSync)}
      ${detail.organizationName ? html` · ${detail.organizationName}` : null}
    </p>
    <p>${syncButtons(detail.id, csrfToken)} <a href="${integrationPath(detail.id)}/controls">Controls</a></p>
    <h2>Models</h2>
    ${modelsTable(detail.models, lagThresholdMs)} ${quarantineSection(detail)}
    <h2>Recent runs</h2>
    ${runsTable(detail.recentRuns)}`;
  return page(detail.id, body);
}
