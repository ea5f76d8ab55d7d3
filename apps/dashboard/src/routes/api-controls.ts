import { Router } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { changeControls, loadControls, type ControlsView } from '../integration-controls.js';
import { jsonApiRoute, modelNamesSchema } from '../json-api-route.js';

const bodySchema = z
  .object({
    isPaused: z.boolean().optional(),
    models: modelNamesSchema.nullable().optional(),
    fullIntervalMs: z.number().int().positive().nullable().optional(),
    safetyNetIntervalMs: z.number().int().positive().nullable().optional(),
  })
  .strict();

function toJson(view: ControlsView) {
  return {
    integrationId: view.integrationId,
    ...view.controls,
    pauseChangedAt: view.controls.pauseChangedAt?.toISOString() ?? null,
    availableModels: view.availableModels,
    defaults: view.defaults ?? null,
  };
}

/**
 * `GET /api/integrations/:id/controls` → `{ integrationId, isPaused, pauseChangedAt, models, fullIntervalMs,
 * safetyNetIntervalMs, availableModels, defaults }` (null: the fleet's default). `PATCH` the same path with JSON
 * `{ isPaused?, models?: string[] | null, fullIntervalMs?: number | null, safetyNetIntervalMs?: number | null }` →
 * 200 with the controls plus `requestId`/`jobId` of a sync it queued (a resume's catch-up, added models) and
 * `isRescheduled`. Like `POST …/sync`: JSON only and same-origin, no CSRF token (see `jsonApiRoute`).
 */
export function apiControlsRoute({ actions }: RouteContext): Router {
  const router = Router();
  router.get('/api/integrations/:id/controls', async (req, res) => {
    res.json(toJson(await loadControls(actions, req.params.id)));
  });
  router.patch(
    '/api/integrations/:id/controls',
    ...jsonApiRoute(bodySchema, async (req, res, body) => {
      const changes = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
      const { view, result } = await changeControls(actions, String(req.params.id), changes);
      res.json({ ...toJson(view), ...result });
    }),
  );
  return router;
}
