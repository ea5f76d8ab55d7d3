import { formatDurationMs } from '@kombo-sync/config';
import { CSRF_FIELD } from '../csrf.js';
import type { ControlsView } from '../integration-controls.js';
import { formatTime } from './format.js';
import { html, type SafeHtml } from './html.js';
import { page } from './layout.js';
import { integrationPath } from './parts.js';

const fleetDefault = (ms: number | undefined) =>
  ms === undefined ? 'fleet default' : `fleet default: ${formatDurationMs(ms)}`;

/** The form pausing or resuming the integration. */
const pauseForm = (isPaused: boolean, action: string, csrf: SafeHtml): SafeHtml =>
  html`<form class="inline" method="post" action="${action}">
    ${csrf}<input type="hidden" name="action" value="${isPaused ? 'resume' : 'pause'}" />
    <button type="submit" data-action="${isPaused ? 'resume' : 'pause'}">
      ${isPaused ? 'Resume' : 'Pause'}
    </button>
  </form>`;

/** The schedule's interval fields: empty for the fleet's default (shown as placeholder). */
const intervalFields = (view: ControlsView): SafeHtml =>
  html`<p>
      <label
        >Full sync every
        <input
          name="full_interval"
          value="${view.controls.fullIntervalMs === null ? '' : formatDurationMs(view.controls.fullIntervalMs)}"
          placeholder="${fleetDefault(view.defaults?.fullEveryMs)}"
      /></label>
    </p>
    <p>
      <label
        >Safety-net delta every
        <input
          name="safety_net_interval"
          value="${view.controls.safetyNetIntervalMs === null ? '' : formatDurationMs(view.controls.safetyNetIntervalMs)}"
          placeholder="${fleetDefault(view.defaults?.safetyNetEveryMs)}"
      /></label>
    </p>`;

/** The controls page: pause/resume, the model subset and the schedule intervals, as CSRF-protected forms. */
export function controlsView(
  view: ControlsView,
  { csrfToken, flash }: { csrfToken: string; flash?: string },
): SafeHtml {
  const { controls } = view;
  const action = `${integrationPath(view.integrationId)}/controls`;
  const csrf = html`<input type="hidden" name="${CSRF_FIELD}" value="${csrfToken}" />`;
  const chosen = new Set(controls.models ?? view.availableModels);
  const modelBoxes = view.availableModels.map(
    (model) =>
      html`<label
          ><input type="checkbox" name="models" value="${model}" ${chosen.has(model) ? 'checked' : ''} />
          ${model}</label
        ><br />`,
  );
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
    ${pauseForm(controls.isPaused, action, csrf)}
    <h2>Models and schedule</h2>
    <form method="post" action="${action}" id="controls-form">
      ${csrf}<input type="hidden" name="action" value="save" />
      <fieldset>
        <legend>Models (${controls.models ? 'a subset' : 'every enabled model'})</legend>
        <label
          ><input type="checkbox" name="all_models" value="1" ${controls.models ? '' : 'checked'} /> All
          models</label
        ><br />
        ${modelBoxes}
      </fieldset>
      ${intervalFields(view)}
      <p><small>Durations like 30m, 6h, 7d; empty for the fleet's default.</small></p>
      <button type="submit" data-action="save">Save</button>
    </form>`;
  return page(`${view.integrationId}: controls`, body);
}
