import { isModelName, type ModelName } from '@kombo-sync/catalog';
import express, { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { sameOriginGuard } from '../csrf.js';
import { HttpError } from '../http-error.js';
import { requestSync } from '../request-sync.js';

const bodySchema = z
  .object({
    full: z.boolean().optional(),
    models: z
      .array(z.string())
      .max(100)
      .refine((models) => models.every(isModelName), 'unknown model name')
      .optional(),
  })
  .strict();

const requireJson: RequestHandler = (req, _res, next) => {
  if (req.is('application/json')) return next();
  next(new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send Content-Type: application/json'));
};

/**
 * `POST /api/integrations/:id/sync` with JSON `{ full?: boolean, models?: string[] }` → 202
 * `{ integrationId, requestId, jobId }`. For tools with bearer/basic auth: no CSRF token, but the body must be
 * `application/json` (a cross-site form cannot send that without a CORS preflight, which we never allow) and
 * cross-site browser requests are refused.
 */
export function apiSyncRoute({ deps }: RouteContext): Router {
  const router = Router();
  router.post(
    '/api/integrations/:id/sync',
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
      const integrationId = String(req.params.id);
      const { full, models } = parsed.data;
      const result = await requestSync(deps, integrationId, {
        ...(full !== undefined && { full }),
        ...(models && { models: models as ModelName[] }),
      });
      res.status(202).json({ integrationId, ...result });
    },
  );
  return router;
}
