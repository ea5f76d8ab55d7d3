import { Router } from 'express';
import { z } from 'zod';
import type { RouteContext } from '../deps.js';
import { jsonApiRoute, modelNamesSchema } from '../json-api-route.js';
import { requestSync } from '../request-sync.js';

const bodySchema = z.object({ full: z.boolean().optional(), models: modelNamesSchema.optional() }).strict();

/**
 * `POST /api/integrations/:id/sync` with JSON `{ full?: boolean, models?: string[] }` → 202
 * `{ integrationId, requestId, jobId }`. For tools with bearer/basic auth: no CSRF token, but JSON only and
 * same-origin (see `jsonApiRoute`).
 */
export function apiSyncRoute({ actions }: RouteContext): Router {
  const router = Router();
  router.post(
    '/api/integrations/:id/sync',
    ...jsonApiRoute(bodySchema, async (req, res, { full, models }) => {
      const integrationId = String(req.params.id);
      const result = await requestSync(actions, integrationId, {
        ...(full !== undefined && { full }),
        ...(models && { models }),
      });
      res.status(202).json({ integrationId, ...result });
    }),
  );
  return router;
}
