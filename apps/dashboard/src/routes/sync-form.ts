import express, { Router } from 'express';
import type { RouteContext } from '../deps.js';
import { sameOriginGuard } from '../csrf.js';
import { requestSync } from '../request-sync.js';
import { integrationPath } from '../views/parts.js';

/**
 * `POST /integrations/:id/sync` from the page's forms (`mode=sync|full`): same-origin check, then the
 * double-submit CSRF token, then the webhook path; answers 303 to the integration page.
 */
export function syncFormRoute({ actions, csrf }: RouteContext): Router {
  const router = Router();
  router.post(
    '/integrations/:id/sync',
    sameOriginGuard,
    express.urlencoded({ extended: false, limit: '4kb' }),
    csrf.verify,
    async (req, res) => {
      const full = (req.body as { mode?: unknown }).mode === 'full';
      const { jobId } = await requestSync(actions, req.params.id as string, { full });
      res.redirect(
        303,
        `${integrationPath(req.params.id as string)}?queued=${encodeURIComponent(jobId ?? '')}`,
      );
    },
  );
  return router;
}
