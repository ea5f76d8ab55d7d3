import {
  STATUS_FILTERS,
  type ConnectionFlowFailureRow,
  type FleetSummary,
  type IntegrationStatus,
  type StatusFilterName,
  type StatusPage,
} from '@kombo-sync/db';
import type { LaneDepth } from '@kombo-sync/queue';
import { selectionQueryString, type StatusSelection } from '../status-query.js';
import { clip, formatCount, formatDuration, formatTime } from './format.js';
import { html, safeHref, type SafeHtml } from './html.js';
import { page } from './layout.js';
import {
  errorCell,
  integrationPath,
  komboSyncBadge,
  runningCell,
  runStatus,
  stateBadge,
  syncButtons,
} from './parts.js';

/** What the status page shows. */
export interface StatusPageData {
  summary: FleetSummary;
  /** The queues' depth per lane, or why it is unknown (Redis down: the rest still shows). */
  lanes: LaneDepth[] | { error: string };
  page: StatusPage;
  selection: StatusSelection;
  /** Undefined on a read-only dashboard: no sync buttons. */
  csrfToken: string | undefined;
  lagThresholdMs: number;
  /** Connection flows that failed recently (no integration was created). */
  flows: readonly ConnectionFlowFailureRow[];
}

/** Most characters of an error message in the list (the integration's page shows it whole). */
const MAX_LIST_MESSAGE = 300;

const BADGE_CLASS: Partial<Record<StatusFilterName, string>> = {
  'not-found': 'bad',
  failing: 'bad',
  lagging: 'warn',
  paused: 'warn',
  quarantined: 'warn',
};

function flagBadges(view: IntegrationStatus): SafeHtml[] {
  return view.flags.map(
    (flag) => html` <span class="badge ${BADGE_CLASS[flag] ?? ''}" data-flag="${flag}">${flag}</span>`,
  );
}

function modelsCell(view: IntegrationStatus, lagThresholdMs: number): SafeHtml {
  const counts = view.modelCounts;
  if (counts.active + counts.skipped === 0) return html`<span class="badge warn">never synced</span>`;
  const lag =
    view.maxLagSeconds === null
      ? html`<span class="badge warn">never synced</span>`
      : html`<span class="${view.maxLagSeconds * 1000 > lagThresholdMs ? 'warn' : 'ok'}"
          >lag ${formatDuration(view.maxLagSeconds)}</span
        >`;
  const parts = [
    html`<span class="synced">${`${counts.synced}/${counts.active} synced`}</span>`,
    counts.failing > 0 ? html`<span class="bad">${`${counts.failing} failing`}</span>` : null,
    counts.skipped > 0 ? html`<span>${`${counts.skipped} skipped`}</span>` : null,
    view.quarantined > 0
      ? html`<span class="warn">${`${formatCount(view.quarantined)} quarantined`}</span>`
      : null,
  ].filter((part) => part !== null);
  return html`${parts.map((part, index) => (index === 0 ? part : html`, ${part}`))}<br />${lag}`;
}

function row(view: IntegrationStatus, csrfToken: string | undefined, lagThresholdMs: number): SafeHtml {
  const run = view.latestRun;
  return html`<tr data-integration="${view.id}" data-health="${view.health}">
    <td>
      <a href="${integrationPath(view.id)}">${clip(view.id, 200)}</a><br /><small
        >${clip(view.organizationName, 200)}${view.originId ? html` · ${clip(view.originId, 200)}` : null}</small
      >
    </td>
    <td>${clip(view.tool, 100)}<br /><small>${clip(view.category, 100)} · ${view.environment}</small></td>
    <td>
      ${stateBadge(view.state, view.isPaused, view.notFoundSince, view.setupStatus)}${komboSyncBadge(
        view.komboSync,
      )}${flagBadges(view)}
    </td>
    <td>${modelsCell(view, lagThresholdMs)}</td>
    <td>${runningCell(view.running)}</td>
    <td>${formatTime(view.lastSuccessAt)}</td>
    <td>
      ${errorCell(view.lastError && { ...view.lastError, message: clip(view.lastError.message, MAX_LIST_MESSAGE) })}
    </td>
    <td>
      ${runStatus(run)}${run ? html`<br /><small>${run.kind} · ${formatDuration(run.durationSeconds)}</small>` : null}
    </td>
    <td>${syncButtons(view.id, csrfToken)}</td>
  </tr>`;
}

function summaryView({ summary, lanes, selection }: StatusPageData): SafeHtml {
  const link = (name: StatusFilterName, count: number) =>
    html`<a href="/${selectionQueryString(selection, { filters: [name] })}" data-count="${name}"
      >${formatCount(count)} ${name}</a
    >`;
  const laneText = Array.isArray(lanes)
    ? lanes.map(
        (lane) =>
          html`<span data-lane="${lane.lane}"
            >${lane.lane}: ${formatCount(lane.waiting)} waiting, ${formatCount(lane.delayed)} delayed,
            ${formatCount(lane.active)} active</span
          > `,
      )
    : html`<span class="warn">unavailable (${lanes.error})</span>`;
  const oldest = summary.oldestLag;
  return html`<section id="summary">
    <p>
      <strong>${formatCount(summary.integrations)} integrations</strong>:
      <span data-count="ok">${formatCount(summary.health.ok)} ok</span> ·
      ${STATUS_FILTERS.map((filter) => html`${link(filter.name, summary.states[filter.name])} · `)}
    </p>
    <p>
      Lanes: ${laneText}· Oldest lag:
      ${
        oldest
          ? html`<span id="oldest-lag"
              >${formatDuration(oldest.lagSeconds)} (<a href="${integrationPath(oldest.integrationId)}"
                >${oldest.integrationId}</a
              >, ${oldest.model})</span
            >`
          : html`<span id="oldest-lag">none synced</span>`
      }
    </p>
  </section>`;
}

function filterNav({ selection, lagThresholdMs }: StatusPageData): SafeHtml {
  const isAll = selection.filters.length === 0;
  const link = (filters: StatusFilterName[], label: string, isCurrent: boolean) =>
    isCurrent
      ? html`<strong>${label}</strong>`
      : html`<a href="/${selectionQueryString(selection, { filters })}">${label}</a>`;
  return html`<nav class="filters">
      ${link([], 'All', isAll)}${STATUS_FILTERS.map((filter) =>
        link(
          [filter.name],
          filter.name,
          selection.filters.length === 1 && selection.filters[0] === filter.name,
        ),
      )}
      <small>lagging: no successful sync for ${formatDuration(lagThresholdMs / 1000)}, or never synced</small>
    </nav>
    <form class="search" method="get" action="/">
      ${
        selection.filters.length > 0
          ? html`<input type="hidden" name="filter" value="${selection.filters.join(',')}" />`
          : null
      }
      <input
        type="search"
        name="q"
        value="${selection.search ?? ''}"
        placeholder="id, origin id or organisation"
      />
      <input
        type="text"
        name="category"
        value="${selection.category ?? ''}"
        placeholder="category"
        size="8"
      />
      <input type="text" name="tool" value="${selection.tool ?? ''}" placeholder="tool" size="10" />
      <input
        type="text"
        name="environment"
        value="${selection.environment ?? ''}"
        placeholder="environment"
        size="10"
      />
      <button type="submit">Search</button>
    </form>`;
}

function pager({ page: current, selection }: StatusPageData): SafeHtml {
  const previous =
    current.previousBefore === null
      ? null
      : html`<a rel="prev" href="/${selectionQueryString(selection, { before: current.previousBefore })}"
          >← Previous</a
        >`;
  const next =
    current.nextAfter === null
      ? null
      : html`<a rel="next" href="/${selectionQueryString(selection, { after: current.nextAfter })}"
          >Next →</a
        >`;
  return html`<nav class="pager">${previous} ${next}</nav>`;
}

/** Connection flows that failed recently (no integration was created), when there are any. */
function flowsSection(flows: readonly ConnectionFlowFailureRow[]): SafeHtml | null {
  if (flows.length === 0) return null;
  return html`<h2>Connection flows that failed (last 7 days)</h2>
    <table id="connection-flow-failures">
      ${flows.map(
        (f) =>
          html`<tr data-event="${f.eventId}">
            <td>${formatTime(f.receivedAt)}</td>
            <td>${clip(f.organizationName, 200)}</td>
            <td>${clip(f.tool, 100)} · ${clip(f.category, 100)}</td>
            <td>${f.logUrl ? html`<a href="${safeHref(f.logUrl)}" rel="noreferrer">Kombo log</a>` : null}</td>
          </tr>`,
      )}
    </table>`;
}

/**
 * The sync status page: the fleet summary (integrations per state and health, lane depth, oldest lag), filters and
 * search, and one page of integrations (keyset-paged by id) with their states, models, lag, running passes, last
 * error and latest run (with its sync buttons unless `csrfToken` is undefined: a read-only dashboard). Each integration's models in detail are on its own page.
 */
export function statusView(data: StatusPageData): SafeHtml {
  const { page: current, selection, csrfToken, lagThresholdMs } = data;
  const isFiltered =
    selection.filters.length > 0 ||
    selection.search ||
    selection.category ||
    selection.tool ||
    selection.environment;
  const body = html`<h1>Sync status</h1>
    ${summaryView(data)} ${filterNav(data)}
    <table id="integrations">
      <thead>
        <tr>
          <th>Integration</th>
          <th>Tool<br /><small>category · environment</small></th>
          <th>State</th>
          <th>Models (synced, lag: since the stalest model's last successful sync)</th>
          <th>Running</th>
          <th>Last success</th>
          <th>Last error</th>
          <th>Latest run</th>
          <th></th>
        </tr>
      </thead>
      <tbody>
        ${
          current.integrations.length === 0
            ? html`<tr>
                <td colspan="9">No integrations${isFiltered ? ' match' : ''}.</td>
              </tr>`
            : current.integrations.map((view) => row(view, csrfToken, lagThresholdMs))
        }
      </tbody>
    </table>
    ${pager(data)} ${flowsSection(data.flows)}`;
  return page('Sync status', body);
}
