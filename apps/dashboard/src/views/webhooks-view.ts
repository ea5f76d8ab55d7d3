import { ALL_MODEL_NAMES } from '@kombo-sync/catalog';
import { CSRF_FIELD } from '../csrf.js';
import type { EndpointDetail, EndpointView } from '../webhook-endpoints.js';
import { formatCount, formatDuration, formatTime } from './format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';

export const webhookPath = (id: string) => `/webhooks/${encodeURIComponent(id)}`;

const csrfField = (token: string) => html`<input type="hidden" name="${CSRF_FIELD}" value="${token}" />`;

function stateBadge(e: EndpointView): SafeHtml {
  return e.isEnabled
    ? html`<span class="badge ok">enabled</span
        >${e.isRotating ? html` <span class="badge">rotating</span>` : null}`
    : html`<span class="badge bad">disabled</span> <small>${e.disabledReason ?? ''}</small>`;
}

/** The secret, shown once after creation or rotation: the receiver needs it, nothing shows it again. */
const secretBox = (secret: string | undefined) =>
  secret
    ? html`<p class="flash">
        Signing secret (shown once; give it to the receiver): <code id="secret">${secret}</code>
      </p>`
    : null;

/** A row of `/webhooks`: an endpoint, its state, waiting and dead deliveries, lag and last success. */
const endpointRow = (e: EndpointView): SafeHtml =>
  html`<tr data-endpoint="${e.id}">
    <td><a href="${webhookPath(e.id)}">${e.id}</a></td>
    <td><code>${e.url}</code></td>
    <td>${e.models?.join(', ') ?? 'all'}</td>
    <td>${e.integrationIds?.join(', ') ?? 'all'}</td>
    <td>${stateBadge(e)}</td>
    <td class="num">${formatCount(e.pending + e.inFlight)}</td>
    <td class="num ${e.dead > 0 ? 'bad' : ''}">${formatCount(e.dead)}</td>
    <td>${formatDuration(e.lagSeconds)}</td>
    <td>${formatTime(e.lastSuccessAt)}</td>
  </tr>`;

/** The form adding an endpoint: its URL, and the models and integrations it wants (all by default). */
const createEndpointForm = (csrfToken: string): SafeHtml =>
  html`<h2>Add an endpoint</h2>
    <form method="post" action="/webhooks" id="create-endpoint">
      ${csrfField(csrfToken)}
      <p>
        <label
          >URL <input name="url" size="60" required placeholder="https://example.com/kombo-changes"
        /></label>
      </p>
      <p>
        <label
          >Models <input name="models" size="60" placeholder="all, or e.g. hris_employees,hris_absences"
        /></label>
      </p>
      <p>
        <label
          >Integrations <input name="integrations" size="60" placeholder="all, or comma-separated ids"
        /></label>
      </p>
      <p><small>Models: ${ALL_MODEL_NAMES.join(', ')}</small></p>
      <button type="submit" data-action="create">Add</button>
    </form>`;

/** A row of the delivery log: its state, attempts, last outcome, next retry and every attempt. */
const deliveryRow = (d: EndpointDetail['deliveries'][number]): SafeHtml =>
  html`<tr data-delivery="${d.id}">
    <td>${d.id}</td>
    <td><code>${d.webhookId}</code></td>
    <td>${d.integrationId}</td>
    <td>${d.model} #${d.seq}</td>
    <td>${d.state}</td>
    <td class="num">${d.attempts}</td>
    <td>${d.lastStatus ?? d.lastError ?? '–'}</td>
    <td class="num">${d.lastLatencyMs === null ? '–' : `${d.lastLatencyMs} ms`}</td>
    <td>
      ${d.state === 'pending' ? (d.nextAttemptAt ? formatTime(d.nextAttemptAt.toISOString()) : 'now') : '–'}
    </td>
    <td>
      ${d.attemptLog.map(
        (a) =>
          html`<small
              >#${a.attempt} ${formatTime(a.startedAt.toISOString())} ${a.outcome} ${a.statusCode ?? ''}
              ${a.latencyMs} ms ${a.error ?? ''}</small
            ><br />`,
      )}
    </td>
  </tr>`;

/** The buttons of an endpoint's actions: enable or disable, rotate the secret, replay dead letters, delete. */
function endpointActions(e: EndpointView, csrfToken: string): SafeHtml {
  const action = (name: string, label: string) =>
    html`<form class="inline" method="post" action="${webhookPath(e.id)}">
      ${csrfField(csrfToken)}<input type="hidden" name="action" value="${name}" />
      <button type="submit" data-action="${name}">${label}</button>
    </form>`;
  return html`${e.isEnabled ? action('disable', 'Disable') : action('enable', 'Enable')}
  ${action('rotate', 'Rotate secret')} ${action('replay_dead', 'Replay dead letters')}
  ${action('delete', 'Delete')}`;
}

/** `/webhooks`: every endpoint with its state, waiting and dead deliveries and lag, and the form adding one. */
export function webhooksView(
  endpoints: EndpointView[],
  { csrfToken, flash, secret }: { csrfToken: string; flash?: string; secret?: string },
): SafeHtml {
  const rows = endpoints.map(endpointRow);
  const body = html`${flash ? html`<p class="flash" id="flash">${flash}</p>` : null}${secretBox(secret)}
    <h1>Outbound webhooks</h1>
    <p>Each committed change is POSTed, signed per Standard Webhooks, to every matching enabled endpoint.</p>
    <table>
      <tr>
        <th>Endpoint</th>
        <th>URL</th>
        <th>Models</th>
        <th>Integrations</th>
        <th>State</th>
        <th>Waiting</th>
        <th>Dead</th>
        <th>Lag</th>
        <th>Last success</th>
      </tr>
      ${
        rows.length > 0
          ? rows
          : html`<tr>
              <td colspan="9">No endpoints yet.</td>
            </tr>`
      }
    </table>
    ${createEndpointForm(csrfToken)}`;
  return page('Outbound webhooks', body);
}

/** `/webhooks/:id`: the endpoint's state, its actions and the delivery log. */
export function webhookDetailView(
  detail: EndpointDetail,
  { csrfToken, flash, secret }: { csrfToken: string; flash?: string; secret?: string },
): SafeHtml {
  const e = detail.endpoint;
  const rows = detail.deliveries.map(deliveryRow);
  const body = html`${flash ? html`<p class="flash" id="flash">${flash}</p>` : null}${secretBox(secret)}
    <h1>Webhook endpoint ${e.id}</h1>
    <p><a href="/webhooks">All endpoints</a></p>
    <p>
      <code>${e.url}</code> · models ${e.models?.join(', ') ?? 'all'} · integrations
      ${e.integrationIds?.join(', ') ?? 'all'} · <span id="endpoint-state">${stateBadge(e)}</span>
    </p>
    <p>
      Waiting ${formatCount(e.pending + e.inFlight)} · dead ${formatCount(e.dead)} · delivered
      ${formatCount(e.delivered)} · lag ${formatDuration(e.lagSeconds)} · last success
      ${formatTime(e.lastSuccessAt)}
      ${e.failingSince ? html` · <span class="bad">failing since ${formatTime(e.failingSince)}</span>` : null}
    </p>
    <p>${endpointActions(e, csrfToken)}</p>
    <h2>Delivery log</h2>
    <table id="deliveries">
      <tr>
        <th>Delivery</th>
        <th>webhook-id</th>
        <th>Integration</th>
        <th>Model</th>
        <th>State</th>
        <th>Attempts</th>
        <th>Last</th>
        <th>Latency</th>
        <th>Next retry</th>
        <th>Attempts</th>
      </tr>
      ${
        rows.length > 0
          ? rows
          : html`<tr>
              <td colspan="10">No deliveries.</td>
            </tr>`
      }
    </table>`;
  return page(`Webhook endpoint ${e.id}`, body);
}
