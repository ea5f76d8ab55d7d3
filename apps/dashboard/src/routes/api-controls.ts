import { isModelName, type ModelName } from '@kombo-sync/catalog';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { sameOriginGuard } from '../csrf.js';
import type { RouteContext } from '../deps.js';
import { HttpError } from '../http-error.js';
import { changeControls, loadControls, type ControlsView } from '../integration-controls.js';

const bodySchema = z
  .object({
    isPaused: z.boolean().optional(),
    models: z
      .array(z.string())
      .max(100)
      .refine((models) => models.every(isModelName), 'unknown model name')
      .nullable()
      .optional(),
    fullIntervalMs: z.number().int().positive().nullable().optional(),
    safetyNetIntervalMs: z.number().int().positive().nullable().optional(),
  })
  .strict();

const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json')) return next();
  next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json'));
};

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
 * `isRescheduled`. Like `POST …/sync`: JSON only and same-origin, no CSRF token.
 */
export function apiControlsRoute({ deps }: RouteContext): Router {
  const router = Router();
  router.get('/api/integrations/:id/controls', async (req, res) => {
    res.json(toJson(await loadControls(deps, req.params.id)));
  });
  router.patch(
    '/api/integrations/:id/controls',
    sameOriginGuard,
    requireJson,
    express.json({ limit: '16kb' }),
    async (req, res) => {
      const parsed = bodySchema.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new HttpError(
          400,
          'INVALID_BODY',
          parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '),
        );
      }
      const { models, ...rest } = parsed.data;
      const { view, result } = await changeControls(deps, String(req.params.id), {
        ...Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined)),
        ...(models !== undefined && { models: models as ModelName[] | null }),
      });
      res.json({ ...toJson(view), ...result });
    },
  );
  return router;
}
