import { formatDurationMs } from '@kombo-sync/config';
import { CSRF_FIELD } from '../csrf.js';
import type { ControlsView } from '../integration-controls.js';
import { formatTime } from './format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { integrationPath } from './parts.js';

const fleetDefault = (ms: number | undefined) =>
  ms === undefined ? 'fleet default' : `fleet default: ${formatDurationMs(ms)}`;

/** The settings' fields: the model subset and the schedule intervals (empty: the fleet's default). */
function settingsFields(view: ControlsView): SafeHtml {
  const { controls, defaults } = view;
  const chosen = new Set(controls.models ?? view.availableModels);
  const modelBoxes = view.availableModels.map(
    (model) =>
      html`<label
          ><input type="checkbox" name="models" value="${model}" ${chosen.has(model) ? 'checked' : ''} />
          ${model}</label
        ><br />`,
  );
  return html`
    <fieldset>
      <legend>Models (${controls.models ? 'a subset' : 'every enabled model'})</legend>
      <label
        ><input type="checkbox" name="all_models" value="1" ${controls.models ? '' : 'checked'} /> All
        models</label
      ><br />
      ${modelBoxes}
    </fieldset>
    <p>
      <label
        >Full sync every
        <input
          name="full_interval"
          value="${controls.fullIntervalMs === null ? '' : formatDurationMs(controls.fullIntervalMs)}"
          placeholder="${fleetDefault(defaults?.fullEveryMs)}"
      /></label>
    </p>
    <p>
      <label
        >Safety-net delta every
        <input
          name="safety_net_interval"
          value="${controls.safetyNetIntervalMs === null ? '' : formatDurationMs(controls.safetyNetIntervalMs)}"
          placeholder="${fleetDefault(defaults?.safetyNetEveryMs)}"
      /></label>
    </p>
    <p><small>Durations like 30m, 6h, 7d; empty for the fleet's default.</small></p>
  `;
}

/**
 * The controls page: pause/resume, the model subset and the schedule intervals, as CSRF-protected forms; shown
 * shown disabled, in no form and without buttons, when `csrfToken` is undefined (a read-only dashboard).
 */
export function controlsView(
  view: ControlsView,
  { csrfToken, flash }: { csrfToken: string | undefined; flash?: string },
): SafeHtml {
  const { controls } = view;
  const isReadOnly = csrfToken === undefined;
  const action = `${integrationPath(view.integrationId)}/controls`;
  const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken ?? ''}" />`;
  const pauseForm = isReadOnly
    ? html`<p id="read-only">
        <small>Read-only dashboard (DASHBOARD_READ_ONLY): no changes from here.</small>
      </p>`
    : html`<form class="inline" method="post" action="${action}">
        ${csrf}<input type="hidden" name="action" value="${controls.isPaused ? 'resume' : 'pause'}" />
        <button type="submit" data-action="${controls.isPaused ? 'resume' : 'pause'}">
          ${controls.isPaused ? 'Resume' : 'Pause'}
        </button>
      </form>`;
  const fields = settingsFields(view);
  // Read-only: the settings shown, disabled, in no form.
  const settings = isReadOnly
    ? html`<div id="controls-form"><fieldset disabled>${fields}</fieldset></div>`
    : html`<form method="post" action="${action}" id="controls-form">
        ${csrf}<input type="hidden" name="action" value="save" />
        ${fields}
        <button type="submit" data-action="save">Save</button>
      </form>`;
  const body = html`${flash ? html`<p class="flash" id="flash">${flash}</p>` : null}
    <h1>${view.integrationId}: controls</h1>
    <p><a href="${integrationPath(view.integrationId)}">Back to the integration</a></p>
    <h2>Pause</h2>
    <p id="pause-state">
      ${
        controls.isPaused
          ? html`Paused since ${formatTime(controls.pauseChangedAt?.toISOString() ?? null)}: webhooks and
            schedules are recorded and synced on resume.`
          : 'Syncing.'
      }
    </p>
    ${pauseForm}
    <h2>Models and schedule</h2>
    ${settings}`;
  return page(`${view.integrationId}: controls`, body);
}
