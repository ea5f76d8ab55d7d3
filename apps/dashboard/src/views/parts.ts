import { CSRF_FIELD } from '../csrf.js';
import type {
  KomboSync,
  ModelError,
  ModelStatusRow,
  ProgressEstimate,
  RunningProgress,
  RunStatusRow,
} from '@kombo-sync/db';
import { formatCount, formatDuration, formatTime } from './format.js';
import { html, safeHref, type SafeHtml } from './html.js';

export const integrationPath = (id: string) => `/integrations/${encodeURIComponent(id)}`;

/** "Sync now" and "Full resync" buttons: POST forms carrying the CSRF token; none without one (read-only). */
export function syncButtons(integrationId: string, csrfToken: string | undefined): SafeHtml {
  if (csrfToken === undefined) return html``;
  const action = `${integrationPath(integrationId)}/sync`;
  const form = (mode: 'sync' | 'full', label: string) =>
    html`<form class="inline" method="post" action="${action}">
      <input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}" /><input
        type="hidden"
        name="mode"
        value="${mode}"
      />
      <button type="submit" data-action="${mode}">${label}</button>
    </form>`;
  return html`${form('sync', 'Sync now')}${form('full', 'Full resync')}`;
}

export function errorCell(error: (Omit<ModelError, 'model'> & { model?: string }) | null): SafeHtml {
  if (!error) return html`<span class="ok">–</span>`;
  const link = error.logUrl
    ? html` <a href="${safeHref(error.logUrl)}" rel="noreferrer">Kombo log</a>`
    : null;
  return html`<span class="bad"><code>${error.code ?? 'ERROR'}</code></span
    >${error.model ? html` (${error.model})` : null} <br />${error.message ?? ''}${link}<br /><small
      >${formatTime(error.at)}</small
    >`;
}

export function lagCell(model: ModelStatusRow, lagThresholdMs: number): SafeHtml {
  if (model.skippedReason) return html`<span class="badge">skipped</span>`;
  if (model.lagSeconds === null) return html`<span class="badge warn">never synced</span>`;
  const cls = model.lagSeconds * 1000 > lagThresholdMs ? 'warn' : 'ok';
  return html`<span class="${cls}">${formatDuration(model.lagSeconds)}</span>`;
}

/**
 * A model pass's progress: `running: 12/40 pages, 3,000/10,000 records (30%), ETA 2m 5s`; the last pass's outcome
 * once it ended; `–` when none was recorded.
 */
export function progressCell(p: ProgressEstimate | null): SafeHtml {
  if (!p) return html`<span>–</span>`;
  const of = (done: number, expected: number | null) =>
    expected === null ? formatCount(done) : `${formatCount(done)}/${formatCount(expected)}`;
  const percent = p.fraction === null ? '' : ` (${Math.floor(p.fraction * 100)}%)`;
  const eta = p.status === 'running' && p.etaSeconds !== null ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
  const kind = p.isFullPass ? 'full' : 'delta';
  return html`<span class="progress ${p.status === 'running' ? '' : 'done'}" data-progress="${p.status}"
    >${p.status} (${kind}): ${of(p.pagesDone, p.expectedPages)} pages, ${of(p.recordsDone, p.expectedRecords)}
    records${percent}${eta}</span
  >`;
}

/** A run's status as a badge: an `interrupted` run (shutdown, pause, time slice; its reason in its error) is no failure. */
export function runStatus(run: RunStatusRow | null): SafeHtml {
  if (!run) return html`<span class="badge">no runs</span>`;
  const cls =
    run.status === 'succeeded'
      ? 'ok'
      : run.status === 'running'
        ? ''
        : run.status === 'interrupted'
          ? 'warn'
          : 'bad';
  return html`<span class="badge ${cls}">${run.status}</span>`;
}

export function stateBadge(
  state: string | null,
  isPaused: boolean,
  notFoundSince: Date | null = null,
  setupStatus: string | null = null,
): SafeHtml {
  const cls = state === 'ACTIVE' ? 'ok' : state ? 'warn' : '';
  return html`<span class="badge ${cls}">${state ?? 'unknown'}</span
    >${setupStatus && setupStatus !== 'COMPLETED' ? html` <span class="badge warn">setup ${setupStatus}</span>` : null}${
      isPaused ? html` <span class="badge warn">paused</span>` : null
    }${
      notFoundSince
        ? html` <span
            class="badge bad"
            title="Kombo answers INTEGRATION_NOT_FOUND since ${notFoundSince.toISOString()}"
            >not found</span
          >`
        : null
    }`;
}

/** The running passes of an integration: `2 passes: 3,000/10,000 records, ETA 2m 5s`; `–` when none runs. */
export function runningCell(running: RunningProgress | null): SafeHtml {
  if (!running) return html`<span>–</span>`;
  const records =
    running.expectedRecords === null
      ? formatCount(running.recordsDone)
      : `${formatCount(running.recordsDone)}/${formatCount(running.expectedRecords)}`;
  const eta = running.etaSeconds === null ? '' : `, ETA ${formatDuration(running.etaSeconds)}`;
  return html`<span class="progress" data-progress="running"
    >${running.passes} pass${running.passes === 1 ? '' : 'es'}: ${records} records${eta}</span
  >`;
}

/** Kombo's own latest sync when it failed: its state, with a link to Kombo's log. */
export function komboSyncBadge(sync: KomboSync | null): SafeHtml | null {
  if (!sync?.isFailed) return null;
  const link = sync.logUrl ? html` <a href="${safeHref(sync.logUrl)}" rel="noreferrer">Kombo log</a>` : null;
  return html` <span class="badge bad kombo-sync" title="Kombo's own sync at ${formatTime(sync.endedAt)}"
      >Kombo sync ${sync.state}</span
    >${link}`;
}
