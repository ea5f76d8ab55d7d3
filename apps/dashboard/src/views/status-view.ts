import { environmentOf } from '@kombo-sync/config';
import type { ConnectionFlowFailureRow } from '@kombo-sync/db';
import type { StatusFilter } from '../status-queries.js';
import type { IntegrationView } from '../status-model.js';
import { formatDuration, formatTime } from './format.js';
import { html, safeHref, type SafeHtml } from './html.js';
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

function modelsTable(view: IntegrationView, lagThresholdMs: number): SafeHtml {
  if (view.models.length === 0) return html`<span class="badge warn">never synced</span>`;
  const rows = view.models.map(
    (m) =>
      html`<tr data-model="${m.model}">
        <td>${m.model}</td>
        <td>${formatTime(m.watermark)}</td>
        <td>${lagCell(m, lagThresholdMs)}</td>
        <td>${m.progress?.status === 'running' ? progressCell(m) : null}</td>
        <td>
          ${m.consecutiveFailures > 0 ? html`<span class="bad">${m.lastError?.code ?? 'failing'}</span>` : null}
          ${m.quarantined > 0 ? html`<span class="badge warn quarantined">${m.quarantined} quarantined</span>` : null}
        </td>
      </tr>`,
  );
  return html`<table class="models">
    ${rows}
  </table>`;
}

function row(view: IntegrationView, csrfToken: string, lagThresholdMs: number): SafeHtml {
  const run = view.latestRun;
  return html`<tr data-integration="${view.id}">
    <td>
      <a href="${integrationPath(view.id)}">${view.id}</a><br /><small>${view.organizationName ?? ''}</small>
    </td>
    <td>${view.tool}<br /><small>${view.category} · ${environmentOf(view.id)}</small></td>
    <td>
      ${stateBadge(view.state, view.isPaused, view.notFoundSince, view.setupStatus)}${komboSyncBadge(view.komboSync)}${view.isFailing ? html` <span class="badge bad">failing</span>` : null}${view.isLagging ? html` <span class="badge warn">lagging</span>` : null}
    </td>
    <td>${modelsTable(view, lagThresholdMs)}</td>
    <td>${formatTime(view.lastSuccessAt)}</td>
    <td>${errorCell(view.lastError)}</td>
    <td>
      ${runStatus(run)}${run ? html`<br /><small>${run.kind} · ${formatDuration(run.durationSeconds)}</small>` : null}
    </td>
    <td>${syncButtons(view.id, csrfToken)}</td>
  </tr>`;
}

/** Connection flows that failed recently (no integration was created), when there are any. */
function flowsSection(flows: readonly ConnectionFlowFailureRow[]): SafeHtml | null {
  if (flows.length === 0) return null;
  return html`<h2>Connection flows that failed (last 7 days)</h2>
    <table id="connection-flow-failures">
      ${flows.map(
        (f) =>
          html`<tr data-event="${f.eventId}">
            <td>${formatTime(f.receivedAt.toISOString())}</td>
            <td>${f.organizationName ?? ''}</td>
            <td>${f.tool} · ${f.category}</td>
            <td>${f.logUrl ? html`<a href="${safeHref(f.logUrl)}" rel="noreferrer">Kombo log</a>` : null}</td>
          </tr>`,
      )}
    </table>`;
}

/**
 * The sync status page: every integration with its models, watermarks, lag, errors and latest run, then the
 * connection flows that failed recently.
 */
export function statusView(
  views: IntegrationView[],
  {
    filter,
    csrfToken,
    lagThresholdMs,
    flows = [],
  }: {
    filter: StatusFilter;
    csrfToken: string;
    lagThresholdMs: number;
    flows?: readonly ConnectionFlowFailureRow[];
  },
): SafeHtml {
  const link = (value: StatusFilter, label: string) =>
    value === filter
      ? html`<strong>${label}</strong>`
      : html`<a href="${value === 'all' ? '/' : `/?filter=${value}`}">${label}</a>`;
  const body = html`<h1>Sync status</h1>
    <nav class="filters">
      ${link('all', 'All')}${link('failing', 'Failing')}${link('lagging', 'Lagging')}
      <small>lagging: no successful sync for ${formatDuration(lagThresholdMs / 1000)}, or never synced</small>
    </nav>
    <p>${views.length} integration${views.length === 1 ? '' : 's'}</p>
    <table id="integrations">
      <thead>
        <tr>
          <th>Integration</th>
          <th>Tool<br /><small>category · environment</small></th>
          <th>State</th>
          <th>Models (watermark, lag: since the last successful sync, progress)</th>
          <th>Last success</th>
          <th>Last error</th>
          <th>Latest run</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${
          views.length === 0
            ? html`<tr>
                <td colspan="8">No integrations${filter === 'all' ? '' : ` ${filter}`}.</td>
              </tr>`
            : views.map((v) => row(v, csrfToken, lagThresholdMs))
        }
      </tbody>
    </table>
    ${flowsSection(flows)}`;
  return page('Sync status', body);
}
