import { isModelName, type ModelName } from '@kombo-sync/catalog';
import { parseDurationMs } from '@kombo-sync/config';
import type { IntegrationControlsInput } from '@kombo-sync/db';
import express, { Router } from 'express';
import { sameOriginGuard } from '../csrf.js';
import type { RouteContext } from '../deps.js';
import { DashboardError } from '../dashboard-error.js';
import { changeControls, loadControls } from '../integration-controls.js';
import { controlsView } from '../views/controls-view.js';
import { PAGE_HEADERS } from '../views/layout.js';
import { integrationPath } from '../views/parts.js';

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];

function intervalField(name: string, value: unknown): number | null {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') return null;
  const ms = parseDurationMs(text);
  if (ms === undefined)
    throw new DashboardError(400, 'INVALID_BODY', `${name}: a duration like 30m, 6h or 7d`);
  return ms;
}

/** The form's fields as a change: `action` pause, resume or save (models and intervals). */
export function formInput(body: Record<string, unknown>): IntegrationControlsInput {
  switch (body['action']) {
    case 'pause':
      return { isPaused: true };
    case 'resume':
      return { isPaused: false };
    case 'save': {
      const models = list(body['models']);
      if (!models.every(isModelName))
        throw new DashboardError(400, 'INVALID_BODY', 'models: unknown model name');
      return {
        models: body['all_models'] === '1' ? null : (models as ModelName[]),
        fullIntervalMs: intervalField('full_interval', body['full_interval']),
        safetyNetIntervalMs: intervalField('safety_net_interval', body['safety_net_interval']),
      };
    }
    default:
      throw new DashboardError(400, 'INVALID_BODY', 'action: pause, resume or save');
  }
}

/**
 * `GET /integrations/:id/controls`: pause/resume, model subset and intervals of one integration;
 * `POST` the same path from its forms (same-origin check, then the double-submit CSRF token) → 303 back to it.
 */
export function controlsPageRoute({ actions, csrf, isReadOnly }: RouteContext): Router {
  const router = Router();
  router.get('/integrations/:id/controls', async (req, res) => {
    const view = await loadControls(actions, req.params.id);
    const flash = typeof req.query.done === 'string' ? req.query.done.slice(0, 200) : undefined;
    const csrfToken = isReadOnly ? undefined : csrf.issue(req, res);
    const page = controlsView(view, { csrfToken, ...(flash && { flash }) });
    res.set(PAGE_HEADERS).type('html').send(page.value);
  });
  router.post(
    '/integrations/:id/controls',
    sameOriginGuard,
    express.urlencoded({ extended: false, limit: '8kb' }),
    csrf.verify,
    async (req, res) => {
      const input = formInput(req.body as Record<string, unknown>);
      const { result } = await changeControls(actions, req.params.id as string, input);
      const done =
        input.isPaused === true
          ? 'Paused.'
          : input.isPaused === false
            ? `Resumed: catch-up sync queued (job ${result.jobId ?? 'already waiting'}).`
            : `Saved.${result.requestId ? ` Sync of the added models queued (job ${result.jobId ?? 'already waiting'}).` : ''}`;
      res.redirect(
        303,
        `${integrationPath(req.params.id as string)}/controls?done=${encodeURIComponent(done)}`,
      );
    },
  );
  return router;
}
